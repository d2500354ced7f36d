"""backup.config.yaml and .env.example, written from the settings table so the documents never drift from it."""
import json

from lib.config.settings import SECRETS, SETTINGS

# The end of backup.config.yaml: how to back up several workspaces (lib/config/workspaces.py).
WORKSPACES_EXAMPLE = [
    "", "# Several workspaces from one repository: name each one and give it its space id; any key above may be",
    "# set again under a workspace, for it alone (it wins over the same key above and its environment variable).",
    "# Each backs up to backups/<name>/ on the branch notion-backups-<name>, with its state in .doit/<name>/, and",
    "# reads its secrets with the upper-cased name as a suffix (NATIVE_EXPORT_TOKEN_V2_TEAM), else the plain names;",
    "# in GitHub Actions each reads them under the plain names from the environment named after it (README).",
    "# workspaces:", "#   team:", '#     space_id: "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b"', "#     quality:",
    "#       min_md_count: 500", "#   home:", '#     space_id: "0123456789abcdef0123456789abcdef"',
]


def _yaml_value(value):
    """Return a default as YAML text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(json.dumps(item) for item in value) + "]"
    return json.dumps(value) if isinstance(value, str) else str(value)


def _limits(setting):
    """Return ', 1 to 600' for a bounded number, '' otherwise."""
    if setting.minimum is None and setting.maximum is None:
        return ""
    low = "" if setting.minimum is None else f"{setting.minimum:g}"
    high = "" if setting.maximum is None else f"{setting.maximum:g}"
    return f", {low} to {high}" if low and high else f", at least {low}" if low else f", at most {high}"


def render_config_yaml():
    """Return backup.config.yaml as generated from SETTINGS (every key, its default, its variable)."""
    lines = ["# notion-git-backup configuration: every tunable with its default.",
             "# Each key can be overridden by the environment variable named in its comment.",
             "# Secrets (cookies, tokens) never go here: see .env.example.", ""]
    section = None
    for setting in SETTINGS:
        group, name = setting.key.split(".")
        if group != section:
            lines += [""] if section else []
            lines.append(f"{group}:")
            section = group
        lines += [f"  # {setting.help} (env {setting.env}){_limits(setting)}",
                  f"  {name}: {_yaml_value(setting.default)}"]
    return "\n".join(lines + WORKSPACES_EXAMPLE) + "\n"


def render_env_example():
    """Return .env.example as generated from SECRETS and SETTINGS."""
    lines = ["# Environment for local runs: copy to .env (never commit .env) and fill in the secrets.",
             "# In GitHub Actions set them as repository secrets, or with workspaces: as secrets of each workspace's",
             "# environment, under the plain names (README). Every variable is optional unless marked.",
             "", "## Secrets"]
    for name, meaning in SECRETS.items():
        lines += [f"# {meaning}", f"{name}="]
    lines += ["", "## Settings (override backup.config.yaml)"]
    for setting in SETTINGS:
        lines += [f"# {setting.help} (backup.config.yaml: {setting.key}; default {_yaml_value(setting.default)}"
                  f"{_limits(setting)})",
                  f"# {setting.env}="]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # python -m lib.config.documents: rewrite the two documents after changing a setting
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]   # the project, above lib/config/
    (root / "backup.config.yaml").write_text(render_config_yaml())
    (root / ".env.example").write_text(render_env_example())
