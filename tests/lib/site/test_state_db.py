"""The build state on disk: sharded sqlite tables that read and write like dicts, switched atomically."""
import json
import os

from hypothesis import given, settings, strategies as st

from lib.site.state_db import SHARDS, BuildState

# Keys as file paths can be: any text, surrogate escapes of non-UTF-8 names included.
KEYS = st.text(st.characters(blacklist_categories=("Cs",)) | st.sampled_from(["\udcff", "\udc80", "/", "é", "😀"]),
               min_size=1, max_size=12)


def build(site, rows, per_shard, meta=None):
    """Write `rows` into the pages table of a new state of `site` and save it."""
    state = BuildState.create(site, sorted(rows), after=BuildState.open(site), per_shard=per_shard)
    state.get("pages").update(rows)
    for name, value in (meta or {}).items():
        state.set(name, value)
    state.save(site)
    return state


@settings(max_examples=60, deadline=None)
@given(rows=st.dictionaries(KEYS, st.integers() | st.text(max_size=5) | st.lists(st.integers(), max_size=3),
                            max_size=40),
       per_shard=st.integers(1, 7))
def test_any_keys_read_back_in_sorted_order_from_every_shard(tmp_path_factory, rows, per_shard):
    site = tmp_path_factory.mktemp("site")
    build(site, rows, per_shard, {"version": "v1"})
    read = BuildState.open(site)
    try:
        table = read.get("pages")
        assert list(table.items()) == sorted(rows.items())
        assert list(table) == sorted(rows) and len(table) == len(rows)
        assert all(table[key] == value and key in table for key, value in rows.items())
        assert table.get("\x00absent") is None and "\x00absent" not in table
        assert read["version"] == "v1" and read.get("absent", 3) == 3
        assert len(read.files) == max(1, -(-len(rows) // per_shard))
    finally:
        read.close()


def test_a_build_killed_before_saving_leaves_the_last_state_and_the_next_cleans_up(tmp_path):
    rows = {f"page {n:02d}.md": {"n": n} for n in range(10)}
    build(tmp_path, rows, 3)
    first = json.loads((tmp_path / SHARDS).read_text())
    killed = BuildState.create(tmp_path, sorted(rows), after=BuildState.open(tmp_path), per_shard=3)
    killed.get("pages").update({key: "half-way" for key in rows})
    killed.get("pages").flush()       # rows on disk, never named in .build-shards.json
    state = BuildState.open(tmp_path)
    assert dict(state.get("pages").items()) == rows and state.files == first["files"]
    state.close()
    build(tmp_path, {"other.md": 1}, 3)
    left = sorted(name for name in os.listdir(tmp_path) if name.startswith(".build-state-"))
    assert left == json.loads((tmp_path / SHARDS).read_text())["files"] and len(left) == 1


def test_a_missing_or_damaged_shard_reads_as_no_state(tmp_path):
    build(tmp_path, {f"p{n}": n for n in range(9)}, 4)
    files = json.loads((tmp_path / SHARDS).read_text())["files"]
    os.unlink(tmp_path / files[-1])
    assert len(BuildState.open(tmp_path).get("pages")) == 0
    build(tmp_path, {f"p{n}": n for n in range(9)}, 4)
    files = json.loads((tmp_path / SHARDS).read_text())["files"]
    (tmp_path / files[1]).write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    assert len(BuildState.open(tmp_path).get("pages")) == 0
    (tmp_path / SHARDS).write_text('{"generation": "a", "files": ["../../etc/passwd"], "bounds": []}')
    assert len(BuildState.open(tmp_path).get("pages")) == 0


def test_a_state_whose_files_cannot_be_read_is_never_overwritten_in_place(tmp_path):
    build(tmp_path, {f"p{n}": n for n in range(4)}, 2)
    named = json.loads((tmp_path / SHARDS).read_text())
    (tmp_path / named["files"][0]).write_bytes(b"damaged")
    unreadable = BuildState.open(tmp_path, check=True)
    assert len(unreadable.get("pages")) == 0
    new = BuildState.create(tmp_path, ["p0", "p1"], after=unreadable)
    # A kill now leaves .build-shards.json naming the files it named, untouched.
    assert new.generation != named["generation"] and (tmp_path / named["files"][1]).exists()
    new.close()


def test_a_site_folder_named_like_a_uri_reads_its_own_state(tmp_path):
    site = tmp_path / "site #1?x=%20&y"
    site.mkdir()
    build(site, {"page.md": {"title": "Page"}}, 5, {"version": "v2"})
    state = BuildState.open(site, check=True)
    assert state["version"] == "v2" and state.get("pages")["page.md"] == {"title": "Page"}
    state.close()
