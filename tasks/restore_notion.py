"""restore_notion: recreate a captured snapshot's pages and databases under a chosen Notion page."""
import logging
import re

from lib.errors import ConfigError
from lib.fsutil import write_json_atomic
from lib.git import open_backup_repo
from lib.public_api.restore import DirSource, GitTreeSource, restore_snapshot
from tasks import stage_action

log = logging.getLogger("restore_notion")


def restore(cfg, layout, snapshot, root, dry_run):
    """Restore from `snapshot` (a commit of the branch, or 'local' for backups/json) under `root`."""
    if not root:
        raise ConfigError(["restore_notion needs --root PAGE_ID_OR_URL: an existing page shared with the integration"])
    if snapshot == "local":
        source = DirSource(layout.json)
    else:
        rev = snapshot or cfg["publish.branch"]
        source = GitTreeSource(open_backup_repo(layout), rev)
    tag = re.sub(r"[^0-9A-Za-z]+", "-", f"{snapshot or 'tip'}-{root}")[-80:]
    report = restore_snapshot(cfg, source, root, layout.restore_journal(tag), dry_run=dry_run)
    write_json_atomic(layout.restore_report(tag), report)
    log.info("restore report: %s (losses: %d)", layout.restore_report(tag),
             len(report.get("losses", [])))
    return {key: report.get(key) for key in ("created", "requests", "dry_run")}


def tasks(cfg, layout):
    """Manual: `doit restore_notion --snapshot REV --root PAGE [--dry-run]`."""
    def work(snapshot="", root="", dry_run=False):
        return restore(cfg, layout, snapshot, root, dry_run)
    return {"actions": [stage_action(layout, "restore_notion", work)],
            "params": [
                {"name": "snapshot", "long": "snapshot", "default": "",
                 "help": "commit, tag or branch holding backups/json (default: the branch tip); 'local' = backups/json"},
                {"name": "root", "long": "root", "default": "", "help": "page id or URL to restore under"},
                {"name": "dry_run", "long": "dry-run", "type": bool, "default": False, "help": "print the plan only"},
            ],
            "uptodate": [False], "verbosity": 2}
