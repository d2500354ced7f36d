"""Site output names: they fit 255 bytes whatever the title, never replace an attachment or the site's own files."""
import os

import pytest

from lib.core.filenames import NAME_MAX
from lib.site.build import build_site
from lib.site.site_manifest import output_files
from lib.site.links import SiteIndex
from tests.lib.site.site_fixtures import link
from tests.lib.trees import write_tree

ID = "0123456789abcdef0123456789abcdef"
SCRIPT = b"<html><body><script>document.title = 'attachment script ran'</script>user file</body></html>"


def build(tmp_path, files):
    """Write `files` as an export and build its site; return (manifest, site folder)."""
    write_tree(tmp_path / "official", files)
    return build_site(tmp_path / "official", tmp_path / "site", workers=1), tmp_path / "site"


def outputs_of(site):
    """Return {output path: sha256} of a built site."""
    return {f["path"]: f["sha256"] for f in output_files(site)}


def test_a_255_byte_cjk_page_name_renders_and_links_reach_it(tmp_path):
    title = "会" * 73  # 73 * 3 + " <id>.md" = 255 bytes: the page's `.html` would be 257
    page = f"{title} {ID}.md"
    assert len(page.encode()) == NAME_MAX
    home = f"Home {'1' * 32}.md"
    manifest, site = build(tmp_path, {page: f"# {title}\n\ntext\n".encode(),
                                      home: f"# Home\n\n[long]({link(page)})\n".encode()})
    index = SiteIndex([page, home])
    out = index.out[page]
    assert out.endswith(f" {ID}.html") and len(out.encode()) <= NAME_MAX
    assert (site / out).read_text(encoding="utf-8").count(title) >= 1
    assert manifest["broken_links"] == []
    assert link(out) in (site / f"Home {'1' * 32}.html").read_text(encoding="utf-8")
    assert not [n for n in os.listdir(site) if n.endswith(".part")]


def test_long_attachment_and_database_names_fit_too(tmp_path):
    csv, twin = f"{'😀' * 54} {ID}.csv", f"{'😀' * 53} {ID}_all.csv"  # the twin shortened at unpack
    attachment = f"Home/{'😀' * 62}.png"
    manifest, site = build(tmp_path, {csv: b"Name\nA\n", twin: b"Name,Owner\nA,me\n", attachment: b"png",
                                      f"Home {ID[::-1]}.md": b"# Home\n"})
    index = SiteIndex([csv, twin, attachment])
    assert len(index.dbs) == 1  # the two CSVs are still one database
    assert all(len(os.path.basename(p).encode()) <= NAME_MAX for p in outputs_of(site))
    assert (site / attachment).read_bytes() == b"png"


def test_attachment_named_like_the_page_keeps_its_bytes_and_the_page_renders_elsewhere(tmp_path):
    page, twin = f"X {ID}.md", f"X {ID}.html"
    home = f"Home {'1' * 32}.md"
    manifest, site = build(tmp_path, {page: b"# X\n\nthe page\n", twin: SCRIPT,
                                      home: f"# Home\n\n[page]({link(page)}) [file]({link(twin)})\n".encode()})
    outputs = outputs_of(site)
    assert (site / twin).read_bytes() == SCRIPT and twin in outputs
    out = SiteIndex([page, twin, home]).out[page]
    assert out != twin and out.endswith(f" {ID}.html")
    assert "the page" in (site / out).read_text(encoding="utf-8")
    home_html = (site / f"Home {'1' * 32}.html").read_text(encoding="utf-8")
    assert f'href="{link(out)}"' in home_html and f'href="{link(twin)}"' in home_html


@pytest.mark.parametrize("taken", ["_site/site.js", "_site/nav.js", "_site/search-index.js", "_site/changes.html"])
def test_export_files_never_replace_the_sites_own(tmp_path, taken):
    manifest, site = build(tmp_path, {taken: SCRIPT, "index.md": b"# Mine\n", f"Home {ID}.md": b"# Home\n"})
    assert SCRIPT not in (site / taken).read_bytes()
    assert b"Notion backup" in (site / "index.html").read_bytes()  # the front page is ours
    index = SiteIndex([taken, "index.md"])
    assert (site / index.out[taken]).read_bytes() == SCRIPT and index.out["index.md"] != "index.html"
    assert b"Mine" in (site / index.out["index.md"]).read_bytes()


def test_page_named_like_a_folder_steps_aside(tmp_path):
    files = {"Notes.md": b"# Notes\n", "Notes.html/inside.png": b"png", f"Home {ID}.md": b"# Home\n"}
    manifest, site = build(tmp_path, files)
    out = SiteIndex(list(files)).out["Notes.md"]
    assert out != "Notes.html" and (site / out).is_file() and (site / "Notes.html" / "inside.png").is_file()


def test_output_names_are_stable_and_unique(tmp_path):
    files = [f"X {ID}.md", f"X {ID}.html", f"X {ID}.csv", "index.md", "_site/site.js", "a.md", "a.html",
             "b.csv", "b.html", "b.db.html", f"{'会' * 84}.md", f"{'会' * 84}x.md"]
    first, again = SiteIndex(files), SiteIndex(list(reversed(files)))
    assert first.out == again.out
    written = [first.out[f] for f in files if first.kind[f] != "db"] + [e["out"] for e in first.dbs.values()]
    written += [first.copies[f] for f in files if first.kind[f] == "db"]
    assert len(written) == len(set(written))
    assert all(len(os.path.basename(p).encode()) <= NAME_MAX for p in written)


def test_pages_and_files_whose_names_start_with_a_dot_are_in_the_site_visible(tmp_path):
    files = {f".NET notes {ID}.md": b"# .NET notes\n", "....md": b"# dots\n", ".build-state.json": b"{}",
             ".x.part": b"keep me", f"Home {'1' * 32}.md": f"# Home\n\n[n]({link(f'.NET notes {ID}.md')})\n".encode()}
    manifest, site = build(tmp_path, files)
    index = SiteIndex(list(files))
    assert manifest["pages"] == 3 and manifest["broken_links"] == []
    for rel in files:
        out = index.out[rel] if rel.endswith(".md") else index.copies[rel]
        assert not os.path.basename(out).startswith(".") and (site / out).is_file(), rel
    assert (site / index.copies[".x.part"]).read_bytes() == b"keep me"
    build_site(tmp_path / "official", tmp_path / "site", workers=1)  # a rebuild sweeps nothing of the user's
    assert (site / index.copies[".x.part"]).read_bytes() == b"keep me"


def test_links_from_a_renamed_page_to_renamed_neighbours_resolve(tmp_path):
    # Notion wrote the links where it put the page; unpack moved both the page and what it links to.
    renames = [{"path": f"a_b/P {ID}.md", "renamed_from": f"a?b/P {ID}.md"},
               {"path": "a_b/pic_.png", "renamed_from": "a?b/pic?.png"},
               {"path": "a_b/_CON", "renamed_from": "a?b/CON"}]
    files = {f"a_b/P {ID}.md": f"# P\n\n![p]({link('pic?.png')}) [c](CON) [up](../Home%20{'1' * 32}.md)\n".encode(),
             "a_b/pic_.png": b"png", "a_b/_CON": b"con", f"Home {'1' * 32}.md": b"# Home\n"}
    write_tree(tmp_path / "official", files)
    manifest = build_site(tmp_path / "official", tmp_path / "site", {"renames": renames, "files": []}, workers=1)
    assert manifest["broken_links"] == [] and manifest["missing_attachments"] == []
