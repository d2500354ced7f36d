"""`python -m lib.config.ci_matrix`: the GitHub Actions matrix of the configured workspaces, as one line of JSON."""
import json
import os
import sys
from pathlib import Path

from lib.config import load_config
from lib.config.settings import BY_KEY
from lib.config.workspaces import SELECT_ENV
from lib.core.errors import ConfigError, ExitStatus

FREE_DISK = BY_KEY["ci.free_disk"]


def entry(name, config):
    """One job: its workspace, the GitHub Environment holding its secrets ('' = the repository's), its disk step."""
    return {"workspace": name, "environment": name, "free_disk": config[FREE_DISK.key]}


def matrix(root, environ):
    """The matrix: one entry per workspace, each with its own settings, or one unnamed entry without `workspaces:`."""
    config = load_config(root, environ)
    if not config.workspace_names:
        return {"include": [entry("", config)]}
    return {"include": [entry(name, load_config(root, {**environ, SELECT_ENV: name}))
                        for name in config.workspace_names]}


def main(root, environ):
    """Print the matrix; exit 3 on a bad configuration (every workspace's settings are checked)."""
    # Names and settings only: the plan job holds no secret, and BACKUP_WORKSPACE must not narrow the list.
    environ = {FREE_DISK.env: environ[FREE_DISK.env]} if FREE_DISK.env in environ else {}
    try:
        found = matrix(root, environ)
    except ConfigError as error:
        sys.stderr.write("bad configuration:\n  " + "\n  ".join(error.problems) + "\n")
        return ExitStatus.CONFIG
    sys.stdout.write(json.dumps(found, separators=(",", ":")) + "\n")
    return ExitStatus.OK


if __name__ == "__main__":
    sys.exit(main(Path.cwd(), os.environ))
