"""notion-git-backup: the doit task graph. Run `doit list` for the stages, plain `doit` for a backup."""
from pathlib import Path

from lib.run.cli import prepare
from tasks import (DAILY_RUN, api_capture, count, export, gate, history, promote, publish, pull, render,
                   restore_notion, shard_expand, unpack, verify)

ROOT = Path(__file__).resolve().parent
CFG, LAYOUT = prepare(ROOT)

DOIT_CONFIG = {
    "default_tasks": list(DAILY_RUN),
    "backend": "sqlite3",
    "dep_file": str(LAYOUT.doit_db),
    "verbosity": 2,
    "minversion": "0.37.0",
}


def task_pull():
    """Fetch the snapshot branch; restore the previous snapshot when it is absent locally."""
    return pull.tasks(CFG, LAYOUT)


def task_export():
    """Ask Notion for the workspace export and download the ZIP (resumable)."""
    return export.tasks(CFG, LAYOUT)


def task_unpack():
    """Extract the export's outer wrapper safely."""
    return unpack.tasks(CFG, LAYOUT)


def task_shard_expand():
    """Merge every Part-N.zip shard into one tree."""
    return shard_expand.tasks(CFG, LAYOUT)


def task_count():
    """Count pages, databases, attachments and bytes."""
    return count.tasks(CFG, LAYOUT)


def task_gate():
    """Refuse a snapshot that is too small or shrank too much."""
    return gate.tasks(CFG, LAYOUT)


def task_promote():
    """Swap the new snapshot into backups/official atomically."""
    return promote.tasks(CFG, LAYOUT)


def task_render():
    """Render the current snapshot to the offline HTML site."""
    return render.tasks(CFG, LAYOUT)


def task_publish():
    """Commit the snapshot to the notion-backups branch and push it."""
    return publish.tasks(CFG, LAYOUT)


def task_verify():
    """Check the snapshot branch: tip vs snapshot.json, every object, linear history."""
    return verify.verify_tasks(CFG, LAYOUT)


def task_snapshots():
    """List the snapshots with pages added, removed and changed."""
    return verify.snapshots_tasks(CFG, LAYOUT)


def task_json_capture():
    """Public-API JSON capture in the daily run, as NOTION_JSON_CAPTURE says."""
    return api_capture.json_capture_tasks(CFG, LAYOUT)


def task_api_capture():
    """Capture the workspace through the public API now (JSON + Markdown)."""
    return api_capture.api_capture_tasks(CFG, LAYOUT)


def task_restore_notion():
    """Recreate a captured snapshot, or one page's subtree, under a Notion page (--snapshot --page --root)."""
    return restore_notion.tasks(CFG, LAYOUT)


def task_history():
    """List the versions of one page or database (--page PAGE)."""
    return history.history_tasks(CFG, LAYOUT)


def task_recover():
    """Write one page as a snapshot held it into a folder (--page PAGE --at DATE_OR_REV --to DIR)."""
    return history.recover_tasks(CFG, LAYOUT)
