"""shard_expand: merge every Part-N.zip shard at the wrapper root into one tree."""
from lib import archive
from lib.fsutil import read_json, remove_tree, tree_manifest, write_json_atomic
from tasks import stage_action
from tasks.unpack import unpack_limits


def shard_expand(cfg, layout):
    """Expand the shards into the run's tree/ folder and write the tree manifest last."""
    remove_tree(layout.tree)
    # Names the unpack stage had to change: an unwrapped export's files keep Notion's names on record.
    renamed = archive.renamed_map(read_json(layout.unpacked_manifest, {}).get("entries", []))
    summary = archive.expand_export(layout.unpacked, layout.tree, unpack_limits(cfg), renamed)
    manifest = tree_manifest(layout.tree)
    manifest["expand"] = summary
    write_json_atomic(layout.tree_manifest, manifest)
    return {"files": manifest["count"], "bytes": manifest["bytes"]}


def tasks(cfg, layout):
    """Re-runs whenever the unpacked wrapper changes."""
    return {
        "actions": [stage_action(layout, "shard_expand", lambda: shard_expand(cfg, layout))],
        "file_dep": [layout.unpacked_manifest],
        "targets": [layout.tree_manifest],
        "verbosity": 2,
    }
