"""Safe extraction: the hostile corpus is refused whole, names and timestamps come out as Notion meant."""
import calendar
import os
import struct
import zipfile

import pytest

from lib.core.errors import ExportError, UnsafeArchive
from lib.core.layout import Layout
from lib.snapshot.promote import promote_tree
from lib.archive.shards import expand_export
from lib.archive.extract import Limits, extract_zip
from tests.lib.archive.hostile_zips import broken_files, hostile_cases, notion_wrapper, raw_zip, sample_pages, zip_bytes

HOSTILE = hostile_cases()
BROKEN = broken_files()


def tree_state(root):
    """Return {relative path: (content, mtime)} for every file and folder under root."""
    state = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root)
            content = open(full, "rb").read() if os.path.isfile(full) else None
            state[rel] = (content, os.lstat(full).st_mtime_ns)
    return state


@pytest.fixture
def backups(tmp_path):
    """A backups/ dir whose official snapshot was promoted from a good export."""
    root = tmp_path / "backups"
    good = Layout(root=tmp_path, backups=root, run_id="good")
    good.run_dir.mkdir(parents=True)
    good.export_zip.write_bytes(notion_wrapper({1: sample_pages()}))
    extract_zip(good.export_zip, good.unpacked)
    expand_export(good.unpacked, good.tree)
    promote_tree(good, {"run_id": "good"})
    return root


def run_pipeline(backups, data, limits):
    """Run unpack -> shard_expand -> promote on an export ZIP, as the stages chain them."""
    run = Layout(root=backups.parent, backups=backups, run_id="bad")
    run.run_dir.mkdir(parents=True, exist_ok=True)
    run.export_zip.write_bytes(data)
    extract_zip(run.export_zip, run.unpacked, limits)
    expand_export(run.unpacked, run.tree, limits)
    promote_tree(run, {"run_id": "bad"})


@pytest.mark.parametrize("case", sorted(HOSTILE))
@pytest.mark.parametrize("where", ["wrapper", "part"])
def test_hostile_archive_is_refused_naming_the_entry(backups, case, where):
    data, needle, limit_args = HOSTILE[case]
    if where == "part":
        data = zip_bytes({"Export-1-Part-1.zip": data}, method=zipfile.ZIP_STORED)
    before = tree_state(backups / "official"), tree_state(backups / "manifests")
    with pytest.raises(UnsafeArchive) as caught:
        run_pipeline(backups, data, Limits(**limit_args))
    assert needle in str(caught.value)
    assert (tree_state(backups / "official"), tree_state(backups / "manifests")) == before
    # Nothing half-extracted is left for a later stage to pick up.
    run = backups / ".staging" / "bad"
    assert sorted(p.name for p in run.iterdir()) == (["export.zip"] if where == "wrapper" else ["export.zip", "unpacked"])
    assert not [p for p in run.parent.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_download_is_refused(backups, case):
    data, needle = BROKEN[case]
    before = tree_state(backups / "official")
    with pytest.raises(UnsafeArchive) as caught:
        run_pipeline(backups, data, Limits())
    assert needle in str(caught.value)
    assert "export.zip" in str(caught.value)
    assert tree_state(backups / "official") == before


def test_refusal_keeps_previous_destination(tmp_path):
    good, bad = tmp_path / "good.zip", tmp_path / "bad.zip"
    good.write_bytes(zip_bytes({"a.md": b"a"}))
    bad.write_bytes(HOSTILE["crc_error"][0])
    extract_zip(good, tmp_path / "out")
    with pytest.raises(UnsafeArchive, match="bad.md"):
        extract_zip(bad, tmp_path / "out")
    assert sorted(os.listdir(tmp_path)) == ["bad.zip", "good.zip", "out"]
    assert (tmp_path / "out" / "a.md").read_bytes() == b"a"


def test_utf8_names_without_flag_are_decoded_as_utf8(tmp_path):
    title = "Tâches 🧬 Lazy Coder’s Pasta 0123456789abcdef0123456789abcdef.md"
    data = raw_zip([{"name": title.encode("utf-8"), "data": b"# t"},
                    {"name": "Caf\u00e9.md".encode("cp437"), "data": b"c"}])  # a genuine cp437 name
    (tmp_path / "x.zip").write_bytes(data)
    entries = extract_zip(tmp_path / "x.zip", tmp_path / "out")
    assert sorted(os.listdir(tmp_path / "out")) == sorted([title, "Café.md"])
    assert all("renamed_from" not in e for e in entries)


def test_windows_characters_and_long_names_get_a_reported_deterministic_rename(tmp_path):
    ident = "0123456789abcdef0123456789abcdef"
    long_title = "Ünïcode title " * 30
    names = {f'What? "Now": a|b <{ident}>.md': b"1", f"{long_title}{ident}.md": b"2", "x" * 300 + ".png": b"3"}
    (tmp_path / "x.zip").write_bytes(zip_bytes(names))
    first = extract_zip(tmp_path / "x.zip", tmp_path / "one")
    second = extract_zip(tmp_path / "x.zip", tmp_path / "two")
    assert first == second
    renamed = {e["renamed_from"]: e["path"] for e in first}
    assert set(renamed) == set(names)
    assert renamed[f'What? "Now": a|b <{ident}>.md'] == f"What_ _Now__ a_b _{ident}_.md"
    long_new = renamed[f"{long_title}{ident}.md"]
    assert long_new.endswith(f" {ident}.md") and len(long_new.encode()) <= 255
    assert long_new.startswith("Ünïcode title")
    assert renamed["x" * 300 + ".png"].endswith(".png") and len(renamed["x" * 300 + ".png"]) <= 255
    assert sorted(os.listdir(tmp_path / "one")) == sorted(renamed.values())


def test_case_collisions_are_kept_and_warned(tmp_path, caplog):
    (tmp_path / "x.zip").write_bytes(zip_bytes({"Notes/a.md": b"1", "notes/b.md": b"2"}))
    extract_zip(tmp_path / "x.zip", tmp_path / "out")
    assert sorted(os.listdir(tmp_path / "out")) == ["Notes", "notes"]
    assert "case-insensitive" in caplog.text


def test_timestamps_come_from_the_archive(tmp_path):
    when = 1_700_000_000
    utc_extra = struct.pack("<HHBi", 0x5455, 5, 1, when)
    data = raw_zip([{"name": b"dos.md", "data": b"d"}, {"name": b"utc.md", "data": b"u", "extra": utc_extra}])
    (tmp_path / "x.zip").write_bytes(data)
    entries = {e["path"]: e for e in extract_zip(tmp_path / "x.zip", tmp_path / "out")}
    dos = calendar.timegm((2025, 11, 18, 10, 30, 0))
    assert os.stat(tmp_path / "out" / "dos.md").st_mtime == dos == entries["dos.md"]["mtime"]
    assert os.stat(tmp_path / "out" / "utc.md").st_mtime == when == entries["utc.md"]["mtime"]


def test_zip64_and_large_entries_stream_in_chunks(tmp_path):
    blob = os.urandom(3 << 20)
    with zipfile.ZipFile(tmp_path / "x.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("big.bin", "w", force_zip64=True) as out:
            out.write(blob)
    entries = extract_zip(tmp_path / "x.zip", tmp_path / "out")
    assert entries[0]["size"] == len(blob)
    assert (tmp_path / "out" / "big.bin").read_bytes() == blob


def test_highly_compressible_small_files_are_not_bombs(tmp_path):
    # Notion pages full of repeated table rows compress far past any sane ratio; small ones are fine.
    (tmp_path / "x.zip").write_bytes(zip_bytes({"table.md": b"| a | b |\n" * 90_000}))
    assert extract_zip(tmp_path / "x.zip", tmp_path / "out")[0]["size"] == 900_000


def test_disk_space_is_checked_before_writing(tmp_path):
    total = os.statvfs(tmp_path).f_bavail * os.statvfs(tmp_path).f_frsize
    data = raw_zip([{"name": b"huge.bin", "data": b"", "size": total + (1 << 30), "crc": 0}])
    (tmp_path / "x.zip").write_bytes(data)
    with pytest.raises(ExportError, match="free"):
        extract_zip(tmp_path / "x.zip", tmp_path / "out", Limits(max_total_bytes=1 << 62, max_ratio=1 << 62))
    assert not (tmp_path / "out").exists()


def test_titles_with_a_colon_are_renamed_not_taken_for_drive_letters(tmp_path):
    (tmp_path / "x.zip").write_bytes(zip_bytes({"Q: why 0123456789abcdef0123456789abcdef.md": b"q", "C:notes.md": b"c"}))
    entries = extract_zip(tmp_path / "x.zip", tmp_path / "out")
    assert sorted(e["path"] for e in entries) == ["C_notes.md", "Q_ why 0123456789abcdef0123456789abcdef.md"]
