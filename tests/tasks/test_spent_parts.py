"""The parts are read inside export.zip, never written out; a re-run after unpacked/ went builds the same tree."""
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.config import load_config
from lib.core.fsutil import read_json, remove_tree
from lib.core.layout import Layout
from tasks.shard_expand import shard_expand
from tasks.unpack import unpack
from tests.lib.archive.hostile_zips import EXPORT_ROOT, notion_wrapper, sample_pages, zip_bytes
from tests.lib.trees import files_of


def _stage_run(tmp_path, wrapper_bytes):
    cfg = load_config(tmp_path, {"BACKUP_RUN_ID": "r1"})
    layout = Layout.for_config(cfg)
    layout.run_dir.mkdir(parents=True)
    layout.export_zip.write_bytes(wrapper_bytes)
    return cfg, layout


def _zips_outside_the_tree(layout):
    """ZIP files the stages wrote in the run folder, besides the download and the user's own attachments."""
    return sorted(p.relative_to(layout.run_dir).as_posix() for p in layout.run_dir.rglob("*.zip")
                  if layout.tree not in p.parents)


def test_the_parts_stay_in_the_zip_and_a_rerun_gives_the_same_tree(tmp_path):
    pages = sample_pages()
    parts = {1: dict(list(pages.items())[:3]), 2: dict(list(pages.items())[3:])}
    cfg, layout = _stage_run(tmp_path, notion_wrapper(parts))
    assert unpack(cfg, layout) == {"entries": 0, "shards": 2}
    first = shard_expand(cfg, layout)
    assert _zips_outside_the_tree(layout) == ["export.zip"]   # the parts were never written out
    assert files_of(layout.tree) == pages
    manifest = read_json(layout.tree_manifest)
    remove_tree(layout.unpacked)                             # what promote's drop_work does
    again = shard_expand(cfg, layout)                        # e.g. `doit shard_expand` forced, or a lost tree
    assert again == first and read_json(layout.tree_manifest)["files"] == manifest["files"]
    assert files_of(layout.tree) == pages


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]),
       st.dictionaries(st.from_regex(r"[A-Za-z0-9 ]{1,12}\.(md|bin)", fullmatch=True),
                       st.binary(max_size=5000), min_size=1, max_size=8),
       st.integers(1, 3))
def test_stored_and_deflated_parts_inside_the_download_give_the_tree(tmp_path_factory, method, pages, nparts):
    names = sorted(pages)
    parts = {n: {name: pages[name] for name in names[n - 1::nparts]} for n in range(1, nparts + 1)}
    members = {f"{EXPORT_ROOT}-Part-{n}.zip": zip_bytes(files, prefix=EXPORT_ROOT + "/")
               for n, files in parts.items() if files}
    members["index.html"] = b"<p>beside the parts</p>"
    cfg, layout = _stage_run(tmp_path_factory.mktemp("run"), zip_bytes(members, method=method))
    unpack(cfg, layout)
    shard_expand(cfg, layout)
    assert files_of(layout.tree) == {**pages, "index.html": b"<p>beside the parts</p>"}
    assert _zips_outside_the_tree(layout) == ["export.zip"]
