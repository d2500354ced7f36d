"""unpack: check the export ZIP's wrapper safely and extract what is not a shard; the shards stay in the ZIP."""
import logging

from lib import archive
from lib.core.fsutil import read_json, remove_tree, write_json_atomic
from lib.snapshot import is_spent
from tasks import reads, stage_action

log = logging.getLogger("unpack")


def spent_after_promotion(layout):
    """True when this run was promoted and its ZIP spent since (OFFICIAL_ZIP_KEEP_GB): official/ is its tree.

    A run killed after its promotion re-runs every stage (doit lost its state): they then work from official/.
    """
    snapshot = read_json(layout.snapshot) or {}
    return layout.promoted.exists() and snapshot.get("run_id") == layout.run_id and is_spent(layout.export_zip)


def unpack(cfg, layout):
    """Check export.zip, extract its non-shard files into unpacked/ and write the manifest last.

    The Part and Root ZIPs are only checked here: shard_expand reads them where they lie in the download, so
    they never take the disk a second time. The manifest names each by its offset in the ZIP.
    """
    if spent_after_promotion(layout) and layout.unpacked_manifest.exists():
        log.info("run %s is promoted and its ZIP spent: nothing to unpack", layout.run_id)
        return {"entries": read_json(layout.unpacked_manifest, {}).get("count", 0), "spent": True}
    remove_tree(layout.unpacked)
    with archive.open_zip(layout.export_zip) as zf:
        entries, left = archive.extract_open(zf, layout.export_zip, layout.unpacked,
                                             archive.Budget(unpack_limits(cfg)), archive.is_shard)
    shards = [{"path": name, "offset": info.header_offset, "size": info.file_size} for name, info in left.items()]
    write_json_atomic(layout.unpacked_manifest, {"entries": entries, "count": len(entries), "shards": shards})
    return {"entries": len(entries), "shards": len(shards)}


def unpack_limits(cfg):
    """Return the zip-bomb limits from the config."""
    return archive.Limits(max_total_bytes=int(cfg["unpack.max_total_gb"] * 1024 ** 3),
                       max_ratio=cfg["unpack.max_ratio"], max_entries=cfg["unpack.max_entries"])


def tasks(cfg, layout):
    """Re-runs whenever the downloaded ZIP changes, or the archive code is upgraded. The limits only decide whether an
    export is extracted at all, so a changed limit does not extract an accepted one again."""
    return {
        "actions": [stage_action(layout, "unpack", lambda: unpack(cfg, layout))],
        "file_dep": [layout.export_zip],
        "targets": [layout.unpacked_manifest],
        "uptodate": [reads(cfg, "unpack", (), code=("archive",))],
        "verbosity": 2,
    }
