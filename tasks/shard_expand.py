"""shard_expand: merge every Part-N.zip shard at the wrapper root into one tree."""
import logging

from lib import archive
from lib.core.fsutil import read_json, remove_tree, tree_manifest, write_json_atomic
from tasks import reads, stage_action
from tasks.unpack import unpack, unpack_limits

log = logging.getLogger("shard_expand")


def shard_expand(cfg, layout):
    """Expand the shards into the run's tree/ folder and write the tree manifest last.

    Each part is deleted once expanded (the parts and the tree never fill the disk together), and a file that
    equals the promoted snapshot's becomes a hard link to it: a large workspace's unchanged attachments
    take their space once. A re-run after the parts were spent extracts them from the ZIP again.
    """
    remove_tree(layout.tree)
    unpacked = read_json(layout.unpacked_manifest, {}).get("entries", [])
    if not all((layout.unpacked / entry["path"]).exists() for entry in unpacked):
        log.info("the wrapper's parts were spent by an earlier expansion: extracting them from %s again",
                 layout.export_zip.name)
        unpack(cfg, layout)
        unpacked = read_json(layout.unpacked_manifest, {}).get("entries", [])
    # Names the unpack stage had to change: an unwrapped export's files keep Notion's names on record.
    renamed = archive.renamed_map(unpacked)
    previous = layout.official if layout.official.is_dir() else None
    summary = archive.expand_export(layout.unpacked, layout.tree, unpack_limits(cfg), renamed, previous=previous,
                                    consume=True)
    manifest = tree_manifest(layout.tree)
    manifest["expand"] = summary
    write_json_atomic(layout.tree_manifest, manifest)
    return {"files": manifest["count"], "bytes": manifest["bytes"]}


def tasks(cfg, layout):
    """Re-runs whenever the unpacked wrapper changes, or the archive code is upgraded."""
    return {
        "actions": [stage_action(layout, "shard_expand", lambda: shard_expand(cfg, layout))],
        "file_dep": [layout.unpacked_manifest],
        "targets": [layout.tree_manifest],
        "uptodate": [reads(cfg, "shard_expand", (), code=("archive",))],
        "verbosity": 2,
    }
