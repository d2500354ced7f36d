"""restore_notion: recreate a captured snapshot's pages and databases (or one page's subtree) under a Notion page."""
import logging
import re

from lib import git
from lib.core.errors import ConfigError
from lib.core.fsutil import write_json_atomic
from lib.public_api.restore import DirSource, GitTreeSource, restore_snapshot
from tasks import DEEP, stage_action
from tasks.history import repository

log = logging.getLogger("restore_notion")


def restore(cfg, layout, snapshot, root, dry_run, page="", deep=False):
    """Restore from `snapshot` (a date, run id or commit of the branch, or 'local' for backups/json) under
    `root`; only the subtree of `page` when one is named; `deep` fetches the older snapshots first."""
    if not root:
        raise ConfigError(["restore_notion needs --root PAGE_ID_OR_URL: an existing page shared with the integration"])
    if snapshot == "local":
        source, which = DirSource(layout.json), "local"
    else:
        repo = repository(cfg, layout, deep)
        found = git.snapshot_commit(repo, cfg["publish.branch"], snapshot, option="--snapshot", strict=False)
        log.info("restoring from the snapshot %s of %s (run %s)", found["commit"][:12], found["date"][:10],
                 found["run_id"])
        source, which = GitTreeSource(repo, found["commit"]), found["commit"][:12]
    # The journal is the resolved snapshot's: the same command resumes it even after a newer snapshot landed.
    tag = re.sub(r"[^0-9A-Za-z]+", "-", "-".join(p for p in (which, root, page) if p))[-80:]
    earlier = re.sub(r"[^0-9A-Za-z]+", "-", f"{snapshot or 'tip'}-{root}")[-80:]
    if not page and layout.restore_journal(earlier).exists():
        tag = earlier   # a restore begun before journals were named by commit: resumed, nothing created twice
    report = restore_snapshot(cfg, source, root, layout.restore_journal(tag), dry_run=dry_run, page=page or None)
    write_json_atomic(layout.restore_report(tag), report)
    log.info("restore report: %s (losses: %d)", layout.restore_report(tag),
             len(report.get("losses", [])))
    return {key: report.get(key) for key in ("created", "requests", "dry_run", "page")}


def tasks(cfg, layout):
    """Manual: `doit restore_notion --snapshot DATE_OR_REV [--page PAGE] --root PAGE [--dry-run]`."""
    def work(snapshot="", root="", dry_run=False, page="", deep=False):
        return restore(cfg, layout, snapshot, root, dry_run, page, deep)
    return {"actions": [stage_action(layout, "restore_notion", work)],
            "params": [
                {"name": "snapshot", "long": "snapshot", "default": "",
                 "help": "the snapshot holding backups/json: a date (YYYY-MM-DD: the last one of that day), a run "
                         "id, a commit, tag or branch (default: the branch tip); 'local' = backups/json"},
                {"name": "root", "long": "root", "default": "", "help": "page id or URL to restore under"},
                {"name": "page", "long": "page", "default": "",
                 "help": "restore only this page (id, URL or exact title) and what lies below it"},
                {"name": "dry_run", "long": "dry-run", "type": bool, "default": False, "help": "print the plan only"},
                DEEP,
            ],
            "uptodate": [False], "verbosity": 2}
