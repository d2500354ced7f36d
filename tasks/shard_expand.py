"""shard_expand: merge every Part-N.zip shard, read in place from the download, into one tree."""
import logging

from lib import archive
from lib.core.fsutil import read_json, remove_tree, tree_manifest, write_json_atomic
from tasks import reads, stage_action
from lib.snapshot import link_tree
from tasks.unpack import spent_after_promotion, unpack, unpack_limits

log = logging.getLogger("shard_expand")


def shard_expand(cfg, layout):
    """Expand the shards into the run's tree/ folder and write the tree manifest last.

    The shards are read where they lie in export.zip (a stored part in place, a deflated one streamed): no part
    is ever written out. A file that equals the promoted snapshot's becomes a hard link to it, so a large
    workspace's unchanged attachments take their space once. A re-run after promote dropped unpacked/ (or a
    manifest from before shards stayed in the ZIP) checks and unpacks the wrapper again first.
    """
    remove_tree(layout.tree)
    if spent_after_promotion(layout):
        return _tree_from_official(layout)
    manifest = read_json(layout.unpacked_manifest, {})
    if "shards" not in manifest or not all((layout.unpacked / e["path"]).exists() for e in manifest["entries"]):
        log.info("the wrapper's own files are gone: checking %s again", layout.export_zip.name)
        unpack(cfg, layout)
        manifest = read_json(layout.unpacked_manifest, {})
    # Names the unpack stage had to change: an unwrapped export's files keep Notion's names on record.
    renamed = archive.renamed_map(manifest["entries"])
    previous = layout.official if layout.official.is_dir() else None
    with archive.open_zip(layout.export_zip) as zf:
        by_offset = {info.header_offset: info for info in zf.infolist()}
        shards = {s["path"]: archive.InZip(zf, by_offset[s["offset"]], s["path"]) for s in manifest["shards"]}
        summary = archive.expand_export(layout.unpacked, layout.tree, unpack_limits(cfg), renamed,
                                        previous=previous, shards=shards)
    tree = tree_manifest(layout.tree)
    tree["expand"] = summary
    write_json_atomic(layout.tree_manifest, tree)
    return {"files": tree["count"], "bytes": tree["bytes"]}


def _tree_from_official(layout):
    """The tree of a promoted run whose ZIP is spent: official/ itself, linked (promote then finds it promoted)."""
    log.info("run %s is promoted and its ZIP spent: its tree is official/", layout.run_id)
    expand = (read_json(layout.tree_manifest, {}) or {}).get("expand")
    link_tree(layout.official, layout.tree)
    tree = tree_manifest(layout.tree)
    if expand is not None:
        tree["expand"] = expand
    write_json_atomic(layout.tree_manifest, tree)
    return {"files": tree["count"], "bytes": tree["bytes"], "spent": True}


def tasks(cfg, layout):
    """Re-runs whenever the unpacked wrapper changes, or the archive code is upgraded."""
    return {
        "actions": [stage_action(layout, "shard_expand", lambda: shard_expand(cfg, layout))],
        "file_dep": [layout.unpacked_manifest],
        "targets": [layout.tree_manifest],
        "uptodate": [reads(cfg, "shard_expand", (), code=("archive",))],
        "verbosity": 2,
    }
