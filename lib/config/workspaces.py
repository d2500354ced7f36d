"""Several workspaces from one repository: names, their secrets, branches and folders.

`workspaces:` in backup.config.yaml maps a short name to that workspace's settings: `space_id` and any key of
the settings table, nested as at the top. A named workspace backs up to `backups/<name>/` on the branch
`<publish.branch>-<name>`, keeps its doit state in `.doit/<name>/`, and reads each secret under its name with
the upper-cased workspace name as a suffix (`NATIVE_EXPORT_TOKEN_V2_TEAM`), else under the plain name.
Without `workspaces:` nothing of this applies: one workspace, as always.
"""
import logging
import os
import re
import subprocess
import sys

from lib.core.errors import ConfigError, ExitStatus
from lib.core.ids import parse_space_id

NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}")
SELECT_ENV = "BACKUP_WORKSPACE"
# Secrets a workspace may have its own of; the push token and the webhooks belong to the repository.
OWN_SECRETS = ("NATIVE_EXPORT_TOKEN_V2", "NATIVE_EXPORT_FILE_TOKEN", "NOTION_API_KEY", "NOTION_ADMIN_TOKEN",
               "NOTION_SPACE_ID")


def suffix(name):
    """The environment suffix of a workspace name: upper case, '-' as '_' (TEAM for team, TEAM_A for team-a)."""
    return name.upper().replace("-", "_")


def check_names(names):
    """Return the problems with a list of workspace names (characters, and names that share a suffix)."""
    problems, seen = [], {}
    for name in names:
        if not isinstance(name, str) or not NAME_RE.fullmatch(name):
            problems.append(f"at 'workspaces.{name}': a workspace name is 1-40 letters, digits, '-' or '_', "
                            "starting with a letter or digit (it names a branch, a folder and secret suffixes)")
            continue
        if suffix(name) in seen:
            problems.append(f"at 'workspaces.{name}': its secrets would be read under the same names as "
                            f"workspace {seen[suffix(name)]!r}'s (suffix _{suffix(name)}); rename one")
        seen[suffix(name)] = name
    return problems


def selected(names, chosen):
    """Return (workspace to run or None, problem or None) from BACKUP_WORKSPACE (`chosen`) and the configured names."""
    chosen = (chosen or "").strip()
    if not chosen:
        return (names[0], None) if len(names) == 1 else (None, None)
    if not names:
        return None, (f"environment {SELECT_ENV} (at 'run.workspace'): {chosen!r} names a workspace, but "
                      "backup.config.yaml has no workspaces: section; unset it or add the workspace")
    if chosen not in names:
        return None, (f"environment {SELECT_ENV} (at 'run.workspace'): {chosen!r} is not a configured workspace "
                      f"(configured: {', '.join(names)})")
    return chosen, None


def secret_names(name, secret):
    """The environment names a workspace's secret is read from, in order."""
    return [f"{secret}_{suffix(name)}", secret] if name and secret in OWN_SECRETS else [secret]


def branch_of(base, name):
    """The snapshot branch of a named workspace (`notion-backups-team`: git cannot hold both
    `notion-backups` and `notion-backups/team`)."""
    return f"{base}-{name}" if name else base


def shared(named, values):
    """Return the problems of workspaces that would share what is each one's own: a branch, a backups folder, or a
    backups folder inside another's (a run wipes and rewrites its folder; two writers on one branch race)."""
    problems, branches, folders = [], {}, {}
    for name, (own, _) in named.items():
        branch = own.get("publish.branch") or branch_of(values["publish.branch"], name)
        # git cannot hold a branch and another below it (`x` and `x/y`): that is one branch too.
        clash = next((other for known, other in branches.items() if branch == known or
                      branch.startswith(known + "/") or known.startswith(branch + "/")), None)
        if clash:
            problems.append(f"at 'workspaces.{name}.publish.branch': workspaces {clash!r} and {name!r} would both "
                            f"commit to the branch {branch!r}; each needs its own")
        branches.setdefault(branch, name)
        folders[name] = os.path.normpath(os.path.join(own.get("run.backups_dir", values["run.backups_dir"]), name))
    for name, folder in folders.items():
        for other, theirs in folders.items():
            if other != name and (folder == theirs and name > other or folder.startswith(theirs + os.sep)):
                how = "the same backups folder as" if folder == theirs else "a backups folder inside that of"
                problems.append(f"at 'workspaces.{name}.run.backups_dir': workspace {name!r} would have {how} "
                                f"workspace {other!r} ({folder}); each needs a folder of its own")
    return problems


def sections(mapping, path, problems, apply):
    """Return {name: (its checked settings, its space id or '')} from the `workspaces:` mapping.

    `apply(section, values, problems, path, prefix, skip)` checks a section's keys as the top level's are.
    """
    if mapping is None:
        return {}
    if not isinstance(mapping, dict):
        problems.append(f"{path.name}: at 'workspaces': must map short names to settings")
        return {}
    problems += check_names(list(mapping))
    named = {}
    for name, section in mapping.items():
        section = {} if section is None else section
        if not isinstance(section, dict):
            problems.append(f"{path.name}: at 'workspaces.{name}': must be a mapping of settings")
            continue
        own, space_id = {}, str(section.get("space_id") or "").strip()
        apply(section, own, problems, path, f"workspaces.{name}.", skip=("space_id",))
        if space_id:
            try:
                space_id = parse_space_id(space_id, f"at 'workspaces.{name}.space_id'")
            except ConfigError as error:
                problems += [f"{path.name}: {problem}" for problem in error.problems]
        named[name] = (own, space_id)
    return named


def secrets(name, space_id, environ, known, problems):
    """Return the run's secrets: a named workspace's own (suffixed) first, then the plain names.

    The space id is the workspace's `space_id` setting when it has one.
    """
    found = {secret: next((environ[env].strip() for env in secret_names(name, secret)
                           if (environ.get(env) or "").strip()), "") for secret in known}
    if space_id:
        found["NOTION_SPACE_ID"] = space_id
    elif found["NOTION_SPACE_ID"]:
        try:
            found["NOTION_SPACE_ID"] = parse_space_id(found["NOTION_SPACE_ID"])
        except ConfigError as error:
            problems += [f"environment {problem}" for problem in error.problems]
    return found


def run_each(names, argv):
    """Run this doit command once per workspace, in turn (each its own process); return the worst exit status."""
    log, codes = logging.getLogger("workspaces"), {}
    for name in names:
        log.info("workspace %s: %s", name, " ".join(["doit", *argv[1:]]))
        code = subprocess.run([sys.executable, "-m", "doit", *argv[1:]],
                              env=dict(os.environ, **{SELECT_ENV: name})).returncode
        codes[name] = code if code >= 0 else int(ExitStatus.BUG)   # killed by a signal
    worst = max(codes.values(), default=0)
    (log.info if worst == 0 else log.error)("workspaces: %s; exit %d", ", ".join(
        f"{name} exit {code}" for name, code in codes.items()), worst)
    return worst
