"""Shard expansion: parts merge into one tree without the per-export root; attachments stay files."""
import os
import zipfile

import pytest

from lib.core.errors import ExportError, UnsafeArchive
from lib.core.fsutil import tree_manifest
from lib.archive.shards import expand_export
from lib.archive.extract import extract_zip
from tests.lib.archive.hostile_zips import EXPORT_ROOT, notion_wrapper, sample_pages, zip_bytes
from tests.lib.trees import files_of

OTHER_ROOT = "Export-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"


def unpack(tmp_path, data, name="export.zip"):
    """Write an export ZIP and extract its wrapper, as the unpack stage does."""
    (tmp_path / name).write_bytes(data)
    extract_zip(tmp_path / name, tmp_path / "unpacked")
    return tmp_path / "unpacked"


def split(pages, n):
    """Spread a page dict over n parts, round robin."""
    parts = {i + 1: {} for i in range(n)}
    for i, (name, data) in enumerate(sorted(pages.items())):
        parts[i % n + 1][name] = data
    return parts


def test_parts_merge_into_one_tree_without_export_root(tmp_path):
    pages = sample_pages()
    summary = expand_export(unpack(tmp_path, notion_wrapper(split(pages, 3))), tmp_path / "tree")
    assert files_of(tmp_path / "tree") == pages
    assert summary["layout"] == "wrapped" and summary["files"] == len(pages)
    assert summary["parts"] == [f"{EXPORT_ROOT}-Part-{n}.zip" for n in (1, 2, 3)]
    assert summary["bytes"] == sum(map(len, pages.values()))
    # The user's own ZIP attachment is a file in the tree, never expanded.
    assert zipfile.is_zipfile(tmp_path / "tree" / "Home" / "user-archive.zip")
    assert not list(tmp_path.glob(".*"))


def test_successive_exports_diff_file_by_file(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = expand_export(unpack(tmp_path / "a", notion_wrapper({1: sample_pages()})), tmp_path / "a" / "tree")
    second = expand_export(unpack(tmp_path / "b", notion_wrapper({1: sample_pages()}, root=OTHER_ROOT)),
                           tmp_path / "b" / "tree")
    assert first["files"] == second["files"]
    assert tree_manifest(tmp_path / "a" / "tree") == tree_manifest(tmp_path / "b" / "tree")


def test_missing_part_is_an_error_naming_it(tmp_path):
    parts = split(sample_pages(), 3)
    del parts[2]
    with pytest.raises(ExportError, match=r"lacks part\(s\) 2 of 3"):
        expand_export(unpack(tmp_path, notion_wrapper(parts)), tmp_path / "tree")
    assert not (tmp_path / "tree").exists()
    assert not list(tmp_path.glob(".*"))


def test_nested_part_named_zip_inside_the_tree_is_not_expanded(tmp_path):
    pages = {"Home/Backup-Part-1.zip": zip_bytes({"x.md": b"x"}), "a 0123456789abcdef0123456789abcdef.md": b"a"}
    expand_export(unpack(tmp_path, notion_wrapper({1: pages})), tmp_path / "tree")
    assert files_of(tmp_path / "tree") == pages


def test_unwrapped_export_under_export_root(tmp_path):
    pages = sample_pages()
    summary = expand_export(unpack(tmp_path, zip_bytes(pages, prefix=EXPORT_ROOT + "/")), tmp_path / "tree")
    assert summary["layout"] == "unwrapped"
    assert files_of(tmp_path / "tree") == pages


def test_unwrapped_export_at_root_and_zip_given_directly(tmp_path):
    pages = sample_pages()
    (tmp_path / "export.zip").write_bytes(zip_bytes(pages))
    expand_export(tmp_path / "export.zip", tmp_path / "tree")
    assert files_of(tmp_path / "tree") == pages
    assert sorted(os.listdir(tmp_path)) == ["export.zip", "tree"]


def test_wrapper_zip_given_directly(tmp_path):
    pages = sample_pages()
    (tmp_path / "export.zip").write_bytes(notion_wrapper(split(pages, 2)))
    assert expand_export(tmp_path / "export.zip", tmp_path / "tree")["files"] == len(pages)
    assert files_of(tmp_path / "tree") == pages


def test_roots_mode_puts_each_root_under_its_id(tmp_path):
    one, two = "1" * 32, "2" * 32
    wrapper = zip_bytes({f"Root-{one}.zip": notion_wrapper(split(sample_pages("a"), 2)),
                         "Root-22222222-2222-2222-2222-222222222222.zip":
                             zip_bytes(sample_pages("b"), prefix=OTHER_ROOT + "/")}, method=zipfile.ZIP_STORED)
    summary = expand_export(unpack(tmp_path, wrapper), tmp_path / "tree")
    assert summary["layout"] == "roots" and summary["roots"] == [one, two]
    expected = {f"{one}/{k}": v for k, v in sample_pages("a").items()}
    expected.update({f"{two}/{k}": v for k, v in sample_pages("b").items()})
    assert files_of(tmp_path / "tree") == expected


def test_identical_file_in_two_parts_is_kept_once(tmp_path):
    parts = {1: {"index.html": b"<html>same</html>", "a.md": b"a"}, 2: {"index.html": b"<html>same</html>"}}
    summary = expand_export(unpack(tmp_path, notion_wrapper(parts)), tmp_path / "tree")
    assert files_of(tmp_path / "tree") == {"index.html": b"<html>same</html>", "a.md": b"a"}
    assert any("index.html" in w for w in summary["warnings"])


def test_different_files_with_one_name_in_two_parts_are_refused(tmp_path):
    parts = {1: {"Home/a.md": b"first"}, 2: {"Home/a.md": b"second"}}
    with pytest.raises(UnsafeArchive, match="Home/a.md"):
        expand_export(unpack(tmp_path, notion_wrapper(parts)), tmp_path / "tree")
    assert not (tmp_path / "tree").exists()


def test_file_in_one_part_and_folder_in_another_both_kept_under_reported_names(tmp_path):
    # An attachment `Sub` beside the folder of a subpage `Sub`: the folder, placed later, steps aside.
    parts = {1: {"Home": b"file"}, 2: {"Home/a.md": b"a", "Home/b.md": b"b"}}
    summary = expand_export(unpack(tmp_path, notion_wrapper(parts)), tmp_path / "tree")
    tree = files_of(tmp_path / "tree")
    renamed = {r["renamed_from"]: r["path"] for r in summary["renames"]}
    assert set(renamed) == {"Home/a.md", "Home/b.md"}
    folder = renamed["Home/a.md"].split("/")[0]
    assert folder.startswith("Home ") and renamed["Home/b.md"] == folder + "/b.md"
    assert tree == {"Home": b"file", f"{folder}/a.md": b"a", f"{folder}/b.md": b"b"}


def test_file_and_folder_of_one_name_in_one_part_keep_the_folder_and_move_the_file(tmp_path):
    parts = {1: {"Home": b"file", "Home/x.md": b"x"}}
    summary = expand_export(unpack(tmp_path, notion_wrapper(parts)), tmp_path / "tree")
    (moved,) = summary["renames"]
    assert moved["renamed_from"] == "Home" and moved["reason"] == "the same name as another file"
    assert files_of(tmp_path / "tree") == {"Home/x.md": b"x", moved["path"]: b"file"}


def test_total_limit_counts_all_parts(tmp_path):
    from lib.archive.extract import Limits
    parts = {1: {"a.bin": b"a" * 3000}, 2: {"b.bin": b"b" * 3000}}
    with pytest.raises(UnsafeArchive, match="b.bin"):
        expand_export(unpack(tmp_path, notion_wrapper(parts)), tmp_path / "tree", Limits(max_total_bytes=5000))


def test_renames_and_timestamps_survive_expansion(tmp_path):
    parts = {1: {"What? 0123456789abcdef0123456789abcdef.md": b"q"}}
    summary = expand_export(unpack(tmp_path, notion_wrapper(parts)), tmp_path / "tree")
    assert summary["renames"] == [{"path": "What_ 0123456789abcdef0123456789abcdef.md",
                                   "renamed_from": "What? 0123456789abcdef0123456789abcdef.md",
                                   "reason": "characters Windows cannot store"}]
    mtime = os.stat(tmp_path / "tree" / "What_ 0123456789abcdef0123456789abcdef.md").st_mtime
    assert mtime == 1763461800  # 2025-11-18 10:30:00 UTC, as written in the archive


def test_rerun_replaces_a_previous_tree(tmp_path):
    expand_export(unpack(tmp_path, notion_wrapper({1: {"old.md": b"o"}})), tmp_path / "tree")
    (tmp_path / "export.zip").unlink()
    expand_export(unpack(tmp_path, notion_wrapper({1: {"new.md": b"n"}})), tmp_path / "tree")
    assert files_of(tmp_path / "tree") == {"new.md": b"n"}


def _stage_script(run):
    return ("from lib.archive.extract import extract_zip\nfrom lib.archive.shards import expand_export\n"
            f"extract_zip({str(run / 'export.zip')!r}, {str(run / 'unpacked')!r})\n"
            f"expand_export({str(run / 'unpacked')!r}, {str(run / 'tree')!r})\n")


def _crash_export():
    """A small export in three parts with enough bytes that a kill lands mid-write."""
    pages = sample_pages()
    pages.update({f"Pages/p{i:03d} {i:032x}.md": os.urandom(512) * 8 for i in range(150)})
    return notion_wrapper(split(pages, 3))


@pytest.fixture(scope="module")
def crash_reference(tmp_path_factory):
    """An uninterrupted unpack + shard_expand run of the crash export, and its step count."""
    from tests.lib.crash import run_to_end
    run = tmp_path_factory.mktemp("reference")
    (run / "export.zip").write_bytes(_crash_export())
    steps = run_to_end(_stage_script(run))
    return run, steps


def _assert_rerun_matches(run, reference):
    """Output dirs exist only when whole; a re-run ends exactly like the uninterrupted run."""
    from tests.lib.crash import run_to_end
    for name in ("unpacked", "tree"):
        if (run / name).exists():
            assert tree_manifest(run / name) == tree_manifest(reference / name)
    run_to_end(_stage_script(run))
    assert tree_manifest(run / "tree") == tree_manifest(reference / "tree")
    assert sorted(os.listdir(run)) == ["export.zip", "tree", "unpacked"]


@pytest.mark.parametrize("seed", range(6))
def test_unpack_and_expand_killed_at_random_instant_rerun_matches(tmp_path, crash_reference, seed):
    from tests.lib.crash import run_killed
    reference, _ = crash_reference
    (tmp_path / "export.zip").write_bytes((reference / "export.zip").read_bytes())
    run_killed(_stage_script(tmp_path), seed=seed, window=0.15)
    _assert_rerun_matches(tmp_path, reference)


@pytest.mark.parametrize("pick", range(6))
def test_unpack_and_expand_killed_at_random_step_rerun_matches(tmp_path, crash_reference, pick):
    import random
    from tests.lib.crash import run_killed
    reference, steps = crash_reference
    step = random.Random(pick).randint(1, steps)
    (tmp_path / "export.zip").write_bytes((reference / "export.zip").read_bytes())
    assert run_killed(_stage_script(tmp_path), kill_at_step=step) == -9
    _assert_rerun_matches(tmp_path, reference)


def test_symlink_in_an_unpacked_wrapper_is_refused(tmp_path):
    wrapper = tmp_path / "unpacked"
    (wrapper / "Home").mkdir(parents=True)
    (wrapper / "Home" / "a.md").write_bytes(b"a")
    os.symlink("/etc/passwd", wrapper / "Home" / "passwd.md")
    with pytest.raises(UnsafeArchive, match="passwd.md"):
        expand_export(wrapper, tmp_path / "tree")
    assert not (tmp_path / "tree").exists()


def test_root_files_beside_the_export_folder_stay_at_the_root(tmp_path):
    pages = {f"{EXPORT_ROOT}/a 0123456789abcdef0123456789abcdef.md": b"a", "index.html": b"<html>"}
    wrapper = zip_bytes({f"{EXPORT_ROOT}-Part-1.zip": zip_bytes(pages)}, method=zipfile.ZIP_STORED)
    expand_export(unpack(tmp_path, wrapper), tmp_path / "tree")
    assert files_of(tmp_path / "tree") == {"a 0123456789abcdef0123456789abcdef.md": b"a", "index.html": b"<html>"}


def test_two_export_folders_are_kept_as_they_are(tmp_path):
    pages = {f"{EXPORT_ROOT}/a.md": b"a", f"{OTHER_ROOT}/b.md": b"b"}
    expand_export(unpack(tmp_path, zip_bytes(pages)), tmp_path / "tree")
    assert files_of(tmp_path / "tree") == {os.path.join(*k.split("/")): v for k, v in pages.items()}


def test_empty_export_is_reported(tmp_path):
    summary = expand_export(unpack(tmp_path, zip_bytes({})), tmp_path / "tree")
    assert summary["files"] == 0 and summary["warnings"] == ["the export holds no files at all"]


def test_roots_mixed_with_parts_are_an_error(tmp_path):
    wrapper = zip_bytes({f"Root-{'1' * 32}.zip": zip_bytes({"a.md": b"a"}),
                         f"{EXPORT_ROOT}-Part-1.zip": zip_bytes({"b.md": b"b"})}, method=zipfile.ZIP_STORED)
    with pytest.raises(ExportError, match="mixes Root"):
        expand_export(unpack(tmp_path, wrapper), tmp_path / "tree")
    assert not (tmp_path / "tree").exists() and not list(tmp_path.glob(".*"))


def test_unwrapped_renames_are_reported(tmp_path):
    # Given the unpacked dir, the unpack stage's extract_zip reported the rename; given the ZIP, the summary does.
    (tmp_path / "export.zip").write_bytes(zip_bytes({f"{EXPORT_ROOT}/Q: why?.md": b"q"}))
    summary = expand_export(tmp_path / "export.zip", tmp_path / "tree")
    assert summary["renames"] == [{"path": "Q_ why_.md", "renamed_from": "Q: why?.md",
                                   "reason": "characters Windows cannot store"}]
    assert files_of(tmp_path / "tree") == {"Q_ why_.md": b"q"}


def test_names_renaming_made_equal_are_both_kept_and_the_unrenamed_one_keeps_its_name(tmp_path):
    parts = {1: {"a?b.md": b"renamed", "a_b.md": b"natural"}, 2: {"CON": b"device", "_CON": b"mine"}}
    summary = expand_export(unpack(tmp_path, notion_wrapper(parts)), tmp_path / "tree")
    renamed = {r["renamed_from"]: r["path"] for r in summary["renames"]}
    assert set(renamed) == {"a?b.md", "CON"}
    assert renamed["a?b.md"].startswith("a_b ") and renamed["a?b.md"].endswith(".md")
    assert renamed["CON"].startswith("_CON ")
    assert files_of(tmp_path / "tree") == {"a_b.md": b"natural", renamed["a?b.md"]: b"renamed",
                                           "_CON": b"mine", renamed["CON"]: b"device"}
    reasons = {r["renamed_from"]: r["reason"] for r in summary["renames"]}
    assert reasons["CON"] == "a Windows device name; the same name as another file"
