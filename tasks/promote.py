"""promote: swap the gated tree into backups/official atomically and write snapshot.json."""
import logging
import shutil

from lib import promote as promoting
from lib.fsutil import read_json, write_json_atomic
from lib.report import now_iso
from tasks import stage_action

log = logging.getLogger("promote")


def promote(cfg, layout):
    """Promote the run's tree, keep the previous snapshot.json for the site's changes page, prune."""
    gate = read_json(layout.gate)
    counts = read_json(layout.counts)
    if layout.snapshot.exists():
        shutil.copyfile(layout.snapshot, layout.previous_snapshot)
    info = {"run_id": layout.run_id, "counts": counts, "gate": gate["verdict"],
            "accepted_drop": gate.get("accepted_drop", False), "time": now_iso()}
    result = promoting.promote_tree(layout.tree, layout.official, layout.manifests, info)
    write_json_atomic(layout.promoted, {"run_id": layout.run_id, "time": now_iso()})
    removed = promoting.prune_staging(layout.staging, cfg["retention.zip_keep_days"],
                                      current_run=layout.run_id, last_good_run=layout.run_id)
    if removed:
        log.info("retention: removed %d old staging runs", len(removed))
    return {"files": counts["files"], "pruned": removed, "result": result}


def tasks(cfg, layout):
    """Runs once the gate has passed for this run's tree."""
    return {
        "actions": [stage_action(layout, "promote", lambda: promote(cfg, layout))],
        "file_dep": [layout.gate, layout.tree_manifest],
        "targets": [layout.promoted],
        "verbosity": 2,
    }
