"""The fake export matches the layout facts of a real Notion workspace export."""
import io
import re
import zipfile

import pytest

from tests.fakes.exports import FakeWorkspace, write_export, write_unwrapped_export

UUID = "b8f52cdf-c19e-4827-8fd2-5385108bebd6"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    ws = FakeWorkspace(seed=5, pages=120, databases=4, attachments=12)
    path = tmp_path_factory.mktemp("exp") / "wrapper.zip"
    names = write_export(ws, path, UUID, part_max_bytes=40_000)
    return ws, path, names


def _parts(path):
    outer = zipfile.ZipFile(path)
    return outer, [zipfile.ZipFile(io.BytesIO(outer.read(n))) for n in outer.namelist()]


def test_wrapper_holds_numbered_parts_rooted_at_export_folder(built):
    ws, path, names = built
    outer, parts = _parts(path)
    assert outer.namelist() == [f"Export-{UUID}-Part-{n}.zip" for n in range(1, len(names) + 1)]
    assert len(parts) > 2
    files = [i.filename for p in parts for i in p.infolist()]
    assert all(f.startswith(f"Export-{UUID}/") for f in files)
    assert not any(f.endswith("/") for f in files), "Notion writes no directory entries"
    assert sorted(f[len(UUID) + 8:] for f in files) == sorted(rel for rel, _, _ in ws.entries())


def test_entry_flags_match_notion(built):
    _, path, _ = built
    _, parts = _parts(path)
    infos = [i for p in parts for i in p.infolist()]
    assert all(i.flag_bits & 0x08 and i.create_system == 0 and i.external_attr == 0 for i in infos)
    assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in infos)
    for info in infos:
        assert bool(info.flag_bits & 0x800) == (not info.filename.isascii())
    assert any(not i.filename.isascii() for i in infos)


def test_a_folder_is_split_across_parts(built):
    _, path, _ = built
    _, parts = _parts(path)
    folders = [{i.filename.rsplit("/", 1)[0] for i in p.infolist()} for p in parts]
    assert any(folders[n] & folders[n + 1] for n in range(len(folders) - 1))


def test_tree_content(built):
    ws, _, _ = built
    entries = {rel: data for rel, _, data in ws.entries()}
    md = [r for r in entries if r.endswith(".md")]
    assert all(entries[r].startswith(b"# ") for r in md)
    csvs = [r for r in entries if r.endswith("_all.csv")]
    assert len(csvs) == 4 + 1 and all(entries[r].startswith("\ufeff".encode()) for r in csvs)  # and a linked view
    assert all(r.replace("_all.csv", ".csv") in entries for r in csvs)
    assert "index.html" in entries and ws.space_id.encode() in entries["index.html"]
    assert any(r.endswith("something.zip") for r in entries)
    assert zipfile.ZipFile(io.BytesIO(next(d for r, d in entries.items() if r.endswith("something.zip")))).namelist()
    assert any(r.endswith(".png") for r in entries) and any(r.endswith(".pdf") for r in entries)
    assert any("%20" in d.decode("utf-8") and "](" in d.decode("utf-8") for r, d in entries.items() if r.endswith(".md"))
    folders = {r.rsplit("/", 1)[0].rsplit("/", 1)[-1] for r in entries if "/" in r}
    assert any(f[-33:-32] == " " and len(f) > 33 for f in folders) and any(" " not in f[-33:] for f in folders)


def test_deterministic_and_days_change_the_tree():
    first = [(r, s) for r, s, _ in FakeWorkspace(seed=9, pages=80).entries()]
    assert first == [(r, s) for r, s, _ in FakeWorkspace(seed=9, pages=80).entries()]
    day1 = dict((r, s) for r, s, _ in FakeWorkspace(seed=9, pages=80, day=1).entries())
    assert set(day1) - set(dict(first)) and set(dict(first)) - set(day1)
    shrunk = [r for r, _, _ in FakeWorkspace(seed=9, pages=80, shrink=0.7).entries() if r.endswith(".md")]
    assert len(shrunk) <= 0.35 * len([r for r, _ in first if r.endswith(".md")])


def test_a_day_edits_a_handful_of_pages_as_a_person_does():
    before = {r: d for r, _, d in FakeWorkspace(seed=7, pages=300, databases=10).entries() if r.endswith(".md")}
    after = {r: d for r, _, d in FakeWorkspace(seed=7, pages=300, databases=10, day=1).entries()
             if r.endswith(".md")}
    added, removed = sorted(set(after) - set(before)), sorted(set(before) - set(after))
    changed = [r for r in set(before) & set(after) if before[r] != after[r]]
    # One new row and one renamed page come in; the renamed page's old name and one deleted page go.
    assert len(added) == 2 and len(removed) == 2
    assert any(r.endswith(" v2 " + r[-35:]) for r in added), added
    # The edited paragraph, and the few pages whose links name the renamed page.
    assert 1 <= len(changed) <= 6
    assert sum(b"Edited on day 1:" in after[r] for r in changed) == 1


def test_the_shapes_of_real_exports_are_there():
    ws = FakeWorkspace(seed=7, pages=300, databases=10)
    entries = {r: d for r, _, d in ws.entries()}
    pages = b"".join(d for r, d in entries.items() if r.endswith(".md"))
    assert b"\nFiles & media: " in pages and b"%20" in pages.split(b"Files & media: ", 1)[1].split(b"\n")[0]
    assert re.search(rb"\nRelated: [^\n]+\.md\), [^\n]+\.md\)\n", pages)       # several relations
    assert b"\nEmail: " in pages and b"\nPhone: +1 " in pages and b"\nWebsite: https://" in pages
    assert b'<aside>\n<img src="https://www.notion.so/icons/' in pages and b"<aside>\n\xf0\x9f\x92\xa1" in pages
    assert b'/icon.png" alt="' in pages
    assert re.search(rb"\n\[\]\([^)\n]+%20[0-9a-f]{32}\.md\)\n", pages)    # a database mention, no text
    view = next(n for n in ws.live_nodes() if n.kind == "view")
    source_folder = ws.paths()[view.source][1]
    view_rows = entries[ws.paths()[view.index][0]].decode("utf-8-sig").splitlines()[1:]
    assert view_rows and all(any(r.startswith(source_folder) and r.endswith(".md")
                                 and f"/{row.split(',')[0]} " in r for r in entries) for row in view_rows)
    folder = next(n for n in ws.live_nodes() if n.folder_only)
    assert ws.paths()[folder.index][0] not in entries
    assert any(r.startswith(ws.paths()[folder.index][1]) for r in entries)


def test_large_attachments_stream_in_chunks():
    ws = FakeWorkspace(seed=2, pages=10, databases=0, attachments=2, attachment_bytes=3 << 20)
    big = [(s, d) for r, s, d in ws.entries() if r.endswith(".png")]
    size, data = big[0]
    assert not isinstance(data, bytes)
    assert sum(len(c) for c in data) == size == 3 << 20


def test_variants_unwrapped_no_utf8_flag_and_corrupt(tmp_path):
    ws = FakeWorkspace(seed=4, pages=30)
    write_unwrapped_export(ws, tmp_path / "flat.zip")
    flat = zipfile.ZipFile(tmp_path / "flat.zip")
    assert "index.html" in flat.namelist()
    write_export(ws, tmp_path / "noflag.zip", UUID, utf8_flag=False)
    part = zipfile.ZipFile(io.BytesIO(zipfile.ZipFile(tmp_path / "noflag.zip").read(f"Export-{UUID}-Part-1.zip")))
    assert not any(i.flag_bits & 0x800 for i in part.infolist())
    assert any(not i.filename.isascii() for i in part.infolist())  # decoded as cp437: mojibake
    write_export(ws, tmp_path / "bad.zip", UUID, part_max_bytes=5000, corrupt_part=2)
    outer = zipfile.ZipFile(tmp_path / "bad.zip")
    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(io.BytesIO(outer.read(f"Export-{UUID}-Part-2.zip")))


def test_a_large_workspace_streams_its_attachments_and_edits_the_share_it_is_told():
    ws = FakeWorkspace(seed=9, pages=400, attachments=30, attachment_bytes=3 << 20, large_attachments=2,
                       large_attachment_bytes=100_000_000, day_edits=0.01)
    sizes, streamed = {}, 0
    for rel, size, data in ws.entries():
        sizes[rel] = size
        if size > (1 << 20):
            # Never held whole: an iterator of chunks of at most 1 MiB, read here without keeping them.
            assert not isinstance(data, (bytes, bytearray))
            seen = sum(len(chunk) for chunk in data if len(chunk) <= (1 << 20) + 16)
            assert seen == size
            streamed += 1
    assert sorted(size for size in sizes.values() if size >= 100_000_000) == [100_000_000, 100_000_000]
    assert streamed == 29                              # 30 attachments but the one user ZIP
    before = {rel: data for rel, _, data in ws.entries() if rel.endswith(".md")}
    after = {rel: data for rel, _, data in ws.with_changes(day=1).entries() if rel.endswith(".md")}
    assert set(before) == set(after)                   # a quiet day: nothing added or deleted
    changed = [rel for rel in before if before[rel] != after[rel]]
    pages = len([n for n in ws.live_nodes() if n.kind in ("page", "row")])
    assert len(changed) == int(pages * 0.01)
