"""unpack: extract the outer wrapper of the export ZIP safely."""
from lib import archive
from lib.core.fsutil import remove_tree, write_json_atomic
from tasks import reads, stage_action


def unpack(cfg, layout):
    """Extract export.zip into the run's unpacked/ folder and write its manifest last."""
    remove_tree(layout.unpacked)
    entries = archive.extract_zip(layout.export_zip, layout.unpacked, unpack_limits(cfg))
    write_json_atomic(layout.unpacked_manifest, {"entries": entries, "count": len(entries)})
    return {"entries": len(entries)}


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
