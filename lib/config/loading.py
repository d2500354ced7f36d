"""Load backup.config.yaml, overlay the environment (and .env), validate every value at once."""
import datetime
import os
from pathlib import Path

from dotenv import dotenv_values
from dulwich.errors import NotGitRepository
from dulwich.repo import Repo
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from lib.config import workspaces
from lib.core.errors import ConfigError
from lib.core.redact import register_secret
from lib.config.rules import backups_dir, credential_problem, is_loopback, remote_host, secret_value
from lib.config.values import checked_value
from lib.config.settings import BY_KEY, SECRETS, SETTINGS



class Config:
    """Validated settings (`cfg['quality.min_md_count']`), secrets and the paths derived from them."""

    def __init__(self, values, secrets, root, workspace=None, workspace_names=()):
        self.values = values
        self.secrets = secrets
        self.root = Path(root)
        self.workspace = workspace                      # the named workspace this run backs up, or None
        self.workspace_names = list(workspace_names)    # every configured one ([] without `workspaces:`)

    def __getitem__(self, key):
        return self.values[key]

    @property
    def run_id(self):
        """The run id: BACKUP_RUN_ID, else today's UTC date."""
        return self.values["run.run_id"] or datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")

    def secret(self, name):
        """Return a secret from the environment, or '' when unset."""
        return self.secrets.get(name, "")

    @property
    def space_id(self):
        """NOTION_SPACE_ID in dashed form (checked when the configuration loaded), or ''."""
        return self.secrets.get("NOTION_SPACE_ID", "")

    @property
    def export_source(self):
        """OFFICIAL_EXPORT_SOURCE with `auto` resolved: admin_api when NOTION_ADMIN_TOKEN is set, else official_zip."""
        source = self["export.source"]
        if source != "auto":
            return source
        # The Admin API exports whole workspaces only, so roots mode stays on the cookie export.
        admin = self.secret("NOTION_ADMIN_TOKEN") and self["export.mode"] == "workspace"
        return "admin_api" if admin else "official_zip"

    def missing_setup(self):
        """Return the names of required secrets that are not set (a named workspace's own name first)."""
        return [" or ".join(workspaces.secret_names(self.workspace, name)) for name in self._missing()]

    def _missing(self):
        if self.export_source == "public_api":
            return [] if self.secret("NOTION_API_KEY") else ["NOTION_API_KEY"]
        if self.export_source == "admin_api":
            wanted = {"NOTION_ADMIN_TOKEN": self.secret("NOTION_ADMIN_TOKEN"),
                      "NOTION_ADMIN_USER_EMAIL": self["notion.admin_user_email"], "NOTION_SPACE_ID": self.space_id}
            return [name for name, value in wanted.items() if not value]
        missing = [] if self.secret("NATIVE_EXPORT_TOKEN_V2") else ["NATIVE_EXPORT_TOKEN_V2"]
        # Roots mode needs the space id too: Notion's exportBlock takes block: {id, spaceId}.
        if not self.secret("NOTION_SPACE_ID"):
            missing.append("NOTION_SPACE_ID")
        return missing


SECTIONS = {setting.key.split(".")[0] for setting in SETTINGS}


def _flatten(data, prefix=""):
    """Yield (dotted key, value, mark) for every leaf of a ruamel mapping; an empty section yields nothing."""
    for name, value in data.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict) and key not in BY_KEY:
            yield from _flatten(value, key + ".")
        elif not (value is None and key in SECTIONS):  # `quality:` with every key commented out
            mark = data.lc.key(name) if hasattr(data, "lc") else None
            yield key, value, mark


def _read_yaml(path, problems):
    """Return the parsed mapping of `path` ({} when absent), appending syntax problems."""
    if not path.exists():
        return {}
    try:
        data = YAML(typ="rt").load(path)
    except MarkedYAMLError as error:
        mark = error.problem_mark
        problems.append(f"{path.name}:{mark.line + 1}:{mark.column + 1}: {error.problem}")
        return {}
    except YAMLError as error:
        problems.append(f"{path.name}: {error}")
        return {}
    if data is None:
        return {}
    if not isinstance(data, dict):
        problems.append(f"{path.name}:1:1: the top level must be a mapping of sections")
        return {}
    return data


def _apply_yaml(mapping, values, problems, path, prefix="", skip=(), origin=None):
    """Check every key of a YAML mapping (`prefix` names where it sits) into `values`, noting problems.

    `origin`, when given, records where each value came from, for rules checked after all values are read.
    """
    for key, value, mark in _flatten(mapping):
        if key in skip:
            continue
        where = f"{path.name}:{mark[0] + 1}:{mark[1] + 1}" if mark else path.name
        setting = BY_KEY.get(key)
        if setting is None:
            what = "must be a mapping of its settings" if key in SECTIONS else "unknown setting"
            problems.append(f"{where}: at '{prefix}{key}': {what}")
            continue
        try:
            values[key] = checked_value(setting, value, from_env=False)
            if origin is not None:
                origin[key] = f"{where}: at '{prefix}{key}'"
        except ValueError as error:
            problems.append(f"{where}: at '{prefix}{key}': {error}")


def _rules(values, root, origin, workspace=None):
    """Problems no single setting shows: a backup folder that is not the project's own, combinations that cannot work.

    A named workspace backs up into its own folder below the backup folder: that folder is the one checked.
    """
    problems = []
    folder = values["run.backups_dir"]
    problem = backups_dir(os.path.join(folder, workspace) if workspace else folder, root)
    if problem:
        problems.append(f"{origin.get('run.backups_dir', 'default (at ' + repr('run.backups_dir') + ')')}: {problem}")
    if values["export.source"] == "admin_api" and values["export.mode"] == "roots":
        problems.append("OFFICIAL_EXPORT_SOURCE is 'admin_api' but OFFICIAL_EXPORT_MODE is 'roots': the Admin API "
                        "exports whole workspaces; use OFFICIAL_EXPORT_MODE=workspace or "
                        "OFFICIAL_EXPORT_SOURCE=official_zip")
    return problems


def _remote_url(remote, root):
    """Return the URL behind a remote name in the project's .git/config, else the setting as it is."""
    try:
        with Repo(str(root)) as repo:
            return repo.get_config().get((b"remote", remote.encode()), b"url").decode()
    except (NotGitRepository, KeyError, UnicodeError, OSError):
        return remote


def _credential_problems(values, named, root, secrets, origin):
    """Where the push token or BACKUP_LFS_URL would send a credential where it must not (each workspace's own
    settings checked): only to the remote's own host, only over https (plain http on loopback alone)."""
    problems, push_token = [], secrets.get("BACKUP_PUSH_TOKEN") or secrets.get("GITHUB_TOKEN")
    for name, own in ({"": {}} if not named else {n: o for n, (o, _) in named.items()}).items():
        merged, where = {**values, **own}, f"workspace {name}: " if name else ""
        remote = _remote_url(merged["publish.remote"], root)
        if push_token and remote.startswith("http://") and not is_loopback(remote_host(remote)):
            problems.append(f"{where}{_named('publish.remote', origin)}: plain http would carry the push "
                            "token readable across the network; use the https URL")
        problem = credential_problem(merged["publish.lfs_url"], remote, secrets.get("BACKUP_LFS_TOKEN"))
        if problem:
            problems.append(f"{where}{_named('publish.lfs_url', origin)}: {problem}")
    return problems


def _named(key, origin):
    """Name a setting in a problem as every rule does: where its value came from, else its variable."""
    return origin.get(key) or f"{BY_KEY[key].env} (at '{key}')"


def load_config(root, environ=None, config_name="backup.config.yaml"):
    """Given the project root, return a validated Config; raise ConfigError listing every problem.

    With `workspaces:`, every workspace's settings are checked; the one BACKUP_WORKSPACE names (or the only
    one) is the Config's, its own settings winning over the top level's and over the environment.
    """
    root = Path(root)
    environ = dict(os.environ if environ is None else environ)
    env_file = root / ".env"
    if env_file.exists():
        for name, value in dotenv_values(env_file).items():
            environ.setdefault(name, value or "")
    path = root / config_name
    problems = []
    values = {setting.key: setting.default for setting in SETTINGS}
    origin = {}  # key -> where its value came from, for problems found after all values are read
    data = _read_yaml(path, problems)
    sections = data.pop("workspaces", None)
    _apply_yaml(data, values, problems, path, origin=origin)
    for setting in SETTINGS:
        raw = environ.get(setting.env)
        if raw is None or (raw == "" and setting.kind != "str"):
            continue
        try:
            values[setting.key] = checked_value(setting, raw, from_env=True)
            origin[setting.key] = f"environment {setting.env} (at '{setting.key}')"
        except ValueError as error:
            problems.append(f"environment {setting.env} (at '{setting.key}'): {error}")
    named = workspaces.sections(sections, path, problems, _apply_yaml)
    chosen, problem = workspaces.selected(list(named), values["run.workspace"])
    problems += [problem] if problem else []
    problems += _rules(values, root, origin) if not named else [
        f"workspace {name}: {rule}" for name, (own, _) in named.items() for rule in _rules({**values, **own}, root, origin, name)]
    problems += [f"{path.name}: {problem}" for problem in workspaces.shared(named, values)]
    secrets = workspaces.secrets(chosen, named[chosen][1] if chosen else "", environ, SECRETS, problems)
    for name, value in secrets.items():
        problem = secret_value(name, value) if name != "NOTION_SPACE_ID" else None  # parsed by its own rule
        if problem:
            problems.append(f"environment {name}: {problem}")
    problems += _credential_problems(values, named, root, secrets, origin)
    if problems:
        raise ConfigError(problems)
    if chosen:
        own = named[chosen][0]
        values.update(own, **{} if "publish.branch" in own else
                      {"publish.branch": workspaces.branch_of(values["publish.branch"], chosen)})
    for name in ("NATIVE_EXPORT_TOKEN_V2", "NATIVE_EXPORT_FILE_TOKEN", "NOTION_API_KEY", "NOTION_ADMIN_TOKEN",
                 "BACKUP_PUSH_TOKEN", "GITHUB_TOKEN", "BACKUP_LFS_TOKEN"):
        register_secret(secrets[name])
    for url in values["notify.urls"]:
        register_secret(url)  # webhook URLs carry their credential in the path
    return Config(values, secrets, root, chosen, list(named))
