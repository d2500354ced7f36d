"""The checks before a run writes anything: bad configuration, the setup notice, the branch, one run at a time."""
import logging
import os
import sys

from lib.core.errors import ExitStatus
from lib.core.fsutil import read_json, write_json_atomic
from lib.git import backup_repo_path, branch_problems, run_lock


def setup_notice(missing):
    """Print what to add and where; in GitHub Actions as a ::notice annotation."""
    text = (f"notion-git-backup is not set up yet: add {' and '.join(missing)} "
            "(GitHub: Settings → Secrets and variables → Actions; locally: .env, see .env.example). "
            "Nothing was exported and no file or branch was created.")
    # Straight to stdout, not logging: GitHub reads workflow annotations from stdout lines.
    if os.environ.get("GITHUB_ACTIONS") == "true":
        text = f"::notice title=Notion backup not configured::{text}"
    sys.stdout.write(text + "\n")


def refuse_config(problems):
    """Log every configuration problem; return ExitStatus.CONFIG, what the run then ends with."""
    logging.getLogger("config").error("bad configuration:\n  %s", "\n  ".join(problems))
    return ExitStatus.CONFIG


def branch_check(cfg, layout):
    """Return the problems that keep a run from starting: the branch must be ours alone and the remote must exist.

    A sound tip is remembered (in the state folder, created here), so the next run walks only what is new.
    """
    branch, checked = cfg["publish.branch"], read_json(layout.branch_checked, {})
    problems, tip = branch_problems(backup_repo_path(layout), branch, cfg["publish.remote"], checked.get(branch))
    if problems:
        return problems
    layout.state_dir.mkdir(parents=True, exist_ok=True)
    if tip and checked.get(branch) != tip:
        write_json_atomic(layout.branch_checked, dict(checked, **{branch: tip}))
    return []


def invocation_lock(layout):
    """Return the lock one run holds in this checkout (PublishError on entry when another run holds it).

    A killed process leaves its record, which the next run reports."""
    return run_lock(layout.invocation_lock)
