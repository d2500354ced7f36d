"""Nested archives and deep trees: limits are totals over every level, depth is bounded, refusals are clean."""
import os
import zipfile

import pytest

from lib.archive.checks import Limits
from lib.archive.extract import extract_zip
from lib.archive.shards import expand_export, renamed_map
from lib.core.errors import BackupError, UnsafeArchive
from tests.lib.archive.hostile_zips import EXPORT_ROOT, notion_wrapper, zip_bytes
from tests.lib.trees import files_of

ID = "0123456789abcdef0123456789abcdef"
PAGE = {f"Home {ID}.md": b"# Home\n"}


def unpack(tmp_path, data):
    """Write an export ZIP and extract its wrapper, as the unpack stage does."""
    (tmp_path / "export.zip").write_bytes(data)
    return tmp_path / "unpacked", extract_zip(tmp_path / "export.zip", tmp_path / "unpacked")


def doubling_roots(levels):
    """A few-KB download whose roots each hold two roots, `levels` deep: 2**levels pages once expanded."""
    inner = zip_bytes(PAGE, prefix=EXPORT_ROOT + "/")
    for _ in range(levels):
        inner = zip_bytes({f"Root-{'1' * 32}.zip": inner, f"Root-{'2' * 32}.zip": inner})
    return inner


def test_roots_inside_roots_are_refused_not_expanded_again_and_again(tmp_path):
    data = doubling_roots(13)
    assert len(data) < 4096  # a 4 KB download...
    wrapper, _ = unpack(tmp_path, data)
    with pytest.raises(UnsafeArchive, match="roots are expanded only at the top"):
        expand_export(wrapper, tmp_path / "tree")  # ...that used to become 8,192 pages
    assert not (tmp_path / "tree").exists()
    assert sorted(os.listdir(tmp_path)) == ["export.zip", "unpacked"]


def test_one_level_of_roots_still_expands(tmp_path):
    wrapper, _ = unpack(tmp_path, doubling_roots(1))
    summary = expand_export(wrapper, tmp_path / "tree")
    assert summary["roots"] == ["1" * 32, "2" * 32] and summary["files"] == 2


def test_entry_limit_is_a_total_over_roots_and_their_parts(tmp_path):
    # Each root's archives stay far below the limit; all of them together do not.
    roots = {f"Root-{n * 32}.zip": notion_wrapper({1: {f"p{i}.md": b"x" for i in range(4)}}) for n in "123"}
    wrapper, _ = unpack(tmp_path, zip_bytes(roots, method=zipfile.ZIP_STORED))
    assert expand_export(wrapper, tmp_path / "ok", Limits(max_entries=20))["files"] == 12
    with pytest.raises(UnsafeArchive, match="in all with the archives before it"):
        expand_export(wrapper, tmp_path / "tree", Limits(max_entries=10))
    assert not (tmp_path / "tree").exists()


def test_byte_limit_is_a_total_over_roots(tmp_path):
    roots = {f"Root-{n * 32}.zip": notion_wrapper({1: {"big.bin": os.urandom(3000)}}) for n in "12"}
    wrapper, _ = unpack(tmp_path, zip_bytes(roots, method=zipfile.ZIP_STORED))
    with pytest.raises(UnsafeArchive, match="in all"):
        expand_export(wrapper, tmp_path / "tree", Limits(max_total_bytes=9000))


@pytest.mark.parametrize("layout", ["part", "unwrapped"])
def test_a_thousand_nested_folders_are_refused_as_a_backup_error(tmp_path, layout):
    deep = "/".join(["a"] * 1000) + "/x.md"
    files = dict(PAGE, **{deep: b"deep"})
    data = notion_wrapper({1: files}) if layout == "part" else zip_bytes(files, prefix=EXPORT_ROOT + "/")
    (tmp_path / "export.zip").write_bytes(data)
    with pytest.raises(BackupError, match="10[0-9][0-9] folders deep"):  # exit 1, never a RecursionError (exit 2)
        extract_zip(tmp_path / "export.zip", tmp_path / "unpacked")
        expand_export(tmp_path / "unpacked", tmp_path / "tree")
    assert not (tmp_path / "tree").exists()


def test_unwrapped_export_reports_the_names_unpack_changed(tmp_path):
    # The stages hand shard_expand the unpacked folder: the unpack stage's renames come along.
    wrapper, entries = unpack(tmp_path, zip_bytes({"CON.md": b"c", "Notes./a?.md": b"a"}, prefix=EXPORT_ROOT + "/"))
    summary = expand_export(wrapper, tmp_path / "tree", renamed=renamed_map(entries))
    assert {r["renamed_from"]: r["path"] for r in summary["renames"]} == {"CON.md": "_CON.md",
                                                                           "Notes./a?.md": "Notes_/a_.md"}
    assert files_of(tmp_path / "tree") == {"_CON.md": b"c", os.path.join("Notes_", "a_.md"): b"a"}


def test_renames_in_roots_mode_carry_the_root_folder(tmp_path):
    roots = {f"Root-{'1' * 32}.zip": notion_wrapper({1: {".git/config": b"[core]\n", "aux.md": b"x"}}),
             f"Root-{'2' * 32}.zip": zip_bytes({"a|b.md": b"y"}, prefix=EXPORT_ROOT + "/")}
    wrapper, _ = unpack(tmp_path, zip_bytes(roots, method=zipfile.ZIP_STORED))
    summary = expand_export(wrapper, tmp_path / "tree")
    one, two = "1" * 32, "2" * 32
    assert {r["renamed_from"]: r["path"] for r in summary["renames"]} == {
        f"{one}/.git/config": f"{one}/_.git/config", f"{one}/aux.md": f"{one}/_aux.md",
        f"{two}/a|b.md": f"{two}/a_b.md"}
