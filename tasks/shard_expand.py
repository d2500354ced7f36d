"""shard_expand: merge every Part-N.zip shard at the wrapper root into one tree."""
from lib import archive
from lib.fsutil import remove_tree, tree_manifest, write_json_atomic
from tasks import stage_action
from tasks.unpack import unpack_limits


def shard_expand(cfg, layout):
    """Expand the shards into the run's tree/ folder and write the tree manifest last."""
    remove_tree(layout.tree)
    summary = archive.expand_export(layout.unpacked, layout.tree, unpack_limits(cfg))
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
