"""count: count pages, databases, attachments and bytes of the expanded tree."""
import logging

from lib.snapshot import count_tree
from lib.core.fsutil import write_json_atomic
from tasks import stage_action

log = logging.getLogger("count")


def count(layout):
    """Write counts.json for the run's tree."""
    counts = count_tree(layout.tree)
    write_json_atomic(layout.counts, counts)
    log.info("%d pages, %d CSV files, %d attachments, %d files, %d bytes", counts["md"], counts["csv"] + counts["csv_all"],
             counts["attachments"], counts["files"], counts["bytes"])
    return counts


def tasks(cfg, layout):
    """Re-runs whenever the tree changes."""
    return {
        "actions": [stage_action(layout, "count", lambda: count(layout))],
        "file_dep": [layout.tree_manifest],
        "targets": [layout.counts],
        "verbosity": 2,
    }
