"""Shard expansion against the promoted snapshot: identical files become hard links, every other file is exact."""
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.archive.extract import BUFFER
from lib.archive.shards import expand_export
from tests.lib.archive.hostile_zips import notion_wrapper
from tests.lib.trees import files_of, write_tree


def expand(base, parts, previous):
    """Write the wrapper and expand it against `previous`, its parts read inside the ZIP."""
    base.mkdir(parents=True, exist_ok=True)
    (base / "export.zip").write_bytes(notion_wrapper(parts))
    return expand_export(base / "export.zip", base / "tree", previous=previous)


def test_unchanged_files_are_links_to_the_previous_snapshot_and_changed_ones_are_new(tmp_path):
    big = os.urandom(2 * BUFFER + 17)
    old = {"Home.md": b"# Home\n", "Big.bin": big, "Edited.bin": big, "Late.bin": big, "Short.md": b"abc",
           "Gone.md": b"gone\n"}
    new = {"Home.md": b"# Home\n", "Big.bin": big, "Edited.bin": b"X" + big[1:], "Late.bin": big[:-1] + b"Y",
           "Short.md": b"abcd", "New.md": b"new\n"}
    previous = tmp_path / "official"
    write_tree(previous, old)
    summary = expand(tmp_path / "run", {1: dict(list(new.items())[:3]), 2: dict(list(new.items())[3:])}, previous)
    tree = tmp_path / "run" / "tree"
    assert files_of(tree) == new
    same = {name for name in new if (previous / name).exists()
            and os.stat(tree / name).st_ino == os.stat(previous / name).st_ino}
    assert same == {"Home.md", "Big.bin"} and summary["linked"] == 2
    assert files_of(previous) == old                      # the previous snapshot is untouched
    assert sorted(os.listdir(tmp_path / "run")) == ["export.zip", "tree"]   # no part was ever written out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=3000), st.binary(max_size=3000), st.booleans())
def test_any_old_and_new_content_gives_the_new_content(tmp_path_factory, old, new, same):
    base = tmp_path_factory.mktemp("case")
    new = old if same else new
    write_tree(base / "official", {"Page.md": old})
    expand(base / "run", {1: {"Page.md": new}}, base / "official")
    assert files_of(base / "run" / "tree") == {"Page.md": new}
    linked = os.stat(base / "run" / "tree" / "Page.md").st_ino == os.stat(base / "official" / "Page.md").st_ino
    assert linked == (old == new)
