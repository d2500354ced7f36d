"""promote: swap the gated tree into backups/official atomically and write snapshot.json."""
import logging
import shutil

from lib.snapshot import promote_tree, prune_staging, repair
from lib.core.fsutil import read_json, remove_tree, write_json_atomic
from lib.core.clock import now_iso
from tasks import stage_action

log = logging.getLogger("promote")


def already_promoted(layout, tree):
    """Return True when official/ already holds this run's tree (its manifest), as snapshot.json records it."""
    snapshot = read_json(layout.snapshot)
    if not snapshot or not tree or snapshot.get("run_id") != layout.run_id or not layout.official.is_dir():
        return False
    key = lambda files: [(f["path"], f["size"], f["sha256"]) for f in files]  # noqa: E731
    return key(snapshot["files"]) == key(tree["files"])


def drop_work(layout):
    """Remove the run's unpacked wrapper and tree once promoted: the tree lives on as official/ (hard links),
    and a kept tree would hold yesterday's files on disk after tomorrow's promotion. The ZIP and the manifests
    stay (retention decides about the ZIP)."""
    remove_tree(layout.unpacked)
    remove_tree(layout.tree)


def promote(cfg, layout):
    """Promote the run's tree, keep the previous snapshot.json for the site's changes page, prune."""
    gate = read_json(layout.gate)
    counts = read_json(layout.counts)
    tree = read_json(layout.tree_manifest)
    repair(layout)  # a crash mid-swap leaves a half state: settle it before judging
    if already_promoted(layout, tree):
        log.info("run %s is already promoted (a re-run after an interruption): nothing to swap", layout.run_id)
        write_json_atomic(layout.promoted, {"run_id": layout.run_id, "time": now_iso()})
        drop_work(layout)
        return {"files": counts["files"], "already": True}
    if layout.snapshot.exists():
        shutil.copyfile(layout.snapshot, layout.previous_snapshot)
    # Links in the pages still use Notion's names: the site resolves renamed files through this list.
    tree = tree or {}
    renames = tree.get("expand", {}).get("renames", [])
    info = {"run_id": layout.run_id, "counts": counts, "gate": gate["verdict"],
            "accepted_drop": gate.get("accepted_drop", False), "renames": renames, "time": now_iso()}
    manifest = {key: tree[key] for key in ("files", "count", "bytes")} if tree else None
    result = promote_tree(layout, info, manifest=manifest)
    write_json_atomic(layout.promoted, {"run_id": layout.run_id, "time": now_iso()})
    drop_work(layout)
    removed = prune_staging(layout.staging, cfg["retention.zip_keep_days"], current_run=layout.run_id,
                            last_good_run=layout.run_id, keep_bytes=int(cfg["retention.zip_keep_gb"] * 1024 ** 3),
                            spend_current=True)
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
