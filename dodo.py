"""notion-git-backup: the doit task graph. Run `doit list` for the stages, plain `doit` for a backup.

Each creator takes the loaded configuration and the layout; lib/run's loader (lib.run.loader) gives them.
"""
from lib.run.main import TASKS_MODULE, hand_over

if __name__ != TASKS_MODULE:
    # Plain `doit` (doit's own main) or `python dodo.py`: the backup's entry point reads the command line instead.
    hand_over(__file__)

from tasks import (DAILY_RUN, api_capture, count, export, gate, history, promote, publish, pull,  # noqa: E402
                   render, restore_notion, shard_expand, unpack, verify)

DOIT_CONFIG = {
    "default_tasks": list(DAILY_RUN),
    "backend": "sqlite3",
    "verbosity": 2,
    "minversion": "0.37.0",
    "sort": "definition",   # `doit list` in pipeline order
}


def task_pull(cfg, layout):
    """Fetch the snapshot branch; restore the previous snapshot when it is absent locally."""
    return pull.tasks(cfg, layout)


def task_export(cfg, layout):
    """Ask Notion for the workspace export and download the ZIP (resumable)."""
    return export.tasks(cfg, layout)


def task_unpack(cfg, layout):
    """Extract the export's outer wrapper safely."""
    return unpack.tasks(cfg, layout)


def task_shard_expand(cfg, layout):
    """Merge every Part-N.zip shard into one tree."""
    return shard_expand.tasks(cfg, layout)


def task_count(cfg, layout):
    """Count pages, databases, attachments and bytes."""
    return count.tasks(cfg, layout)


def task_gate(cfg, layout):
    """Refuse a snapshot that is too small or shrank too much."""
    return gate.tasks(cfg, layout)


def task_promote(cfg, layout):
    """Swap the new snapshot into backups/official atomically."""
    return promote.tasks(cfg, layout)


def task_render(cfg, layout):
    """Render the current snapshot to the offline HTML site."""
    return render.tasks(cfg, layout)


def task_json_capture(cfg, layout):
    """Public-API JSON capture in the daily run, as NOTION_JSON_CAPTURE says."""
    return api_capture.json_capture_tasks(cfg, layout)


def task_publish(cfg, layout):
    """Commit the snapshot to the notion-backups branch and push it."""
    return publish.tasks(cfg, layout)


def task_verify(cfg, layout):
    """Check the snapshot branch: tip vs snapshot.json, every object, linear history."""
    return verify.verify_tasks(cfg, layout)


def task_snapshots(cfg, layout):
    """List the snapshots with pages added, removed and changed."""
    return verify.snapshots_tasks(cfg, layout)


def task_api_capture(cfg, layout):
    """Capture the workspace through the public API now (JSON + Markdown)."""
    return api_capture.api_capture_tasks(cfg, layout)


def task_restore_notion(cfg, layout):
    """Recreate a captured snapshot, or one page's subtree, under a Notion page (--snapshot --page --root)."""
    return restore_notion.tasks(cfg, layout)


def task_history(cfg, layout):
    """List the versions of one page or database (--page PAGE)."""
    return history.history_tasks(cfg, layout)


def task_recover(cfg, layout):
    """Write one page as a snapshot held it into a folder (--page PAGE --at DATE_OR_REV --to DIR)."""
    return history.recover_tasks(cfg, layout)
