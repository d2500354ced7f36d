"""`python -m lib.config.ci_matrix`: the GitHub Actions matrix of the configured workspaces, as one line of JSON."""
import json
import sys
from pathlib import Path

from lib.config import load_config
from lib.core.errors import ConfigError, ExitStatus
from lib.config.workspaces import matrix


def main(root):
    """Print the matrix (one unnamed entry without `workspaces:`); exit 3 on a bad configuration."""
    try:
        config = load_config(root, {})   # names only: no secret, no BACKUP_WORKSPACE is read
    except ConfigError as error:
        sys.stderr.write("bad configuration:\n  " + "\n  ".join(error.problems) + "\n")
        return ExitStatus.CONFIG
    sys.stdout.write(json.dumps(matrix(config.workspace_names), separators=(",", ":")) + "\n")
    return ExitStatus.OK


if __name__ == "__main__":
    sys.exit(main(Path.cwd()))
