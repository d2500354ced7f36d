"""shard_expand spends each part once expanded; a re-run extracts them from the ZIP again and builds the same tree."""
from lib.config import load_config
from lib.core.fsutil import read_json
from lib.core.layout import Layout
from tasks.shard_expand import shard_expand
from tasks.unpack import unpack
from tests.lib.archive.hostile_zips import notion_wrapper, sample_pages
from tests.lib.trees import files_of


def test_a_rerun_after_the_parts_were_spent_gives_the_same_tree(tmp_path):
    cfg = load_config(tmp_path, {"BACKUP_RUN_ID": "r1"})
    layout = Layout.for_config(cfg)
    pages = sample_pages()
    parts = {1: dict(list(pages.items())[:3]), 2: dict(list(pages.items())[3:])}
    layout.run_dir.mkdir(parents=True)
    layout.export_zip.write_bytes(notion_wrapper(parts))
    unpack(cfg, layout)
    assert len(list(layout.unpacked.glob("*.zip"))) == 2
    first = shard_expand(cfg, layout)
    assert not list(layout.unpacked.glob("*.zip"))          # spent: the parts and the tree never both on disk
    manifest = read_json(layout.tree_manifest)
    again = shard_expand(cfg, layout)                        # e.g. `doit shard_expand` forced, or a lost tree
    assert again == first and read_json(layout.tree_manifest)["files"] == manifest["files"]
    assert files_of(layout.tree) == pages
