"""What real Notion exports hold beyond plain pages: callouts, Files & media, links, linked views, folders."""
import html
import re

import pytest

from lib.site.build import build_site
from lib.site.site_manifest import output_files
from lib.site.inline_db import preview_name
from lib.site.nav_parts import NAV_JS
from lib.site.site_paths import db_stem
from tests.lib.site import site_fixtures as F
from tests.lib.site.linkcheck import check_site
from tests.lib.site.test_nav import read_lists


@pytest.fixture(scope="module")
def shapes(tmp_path_factory):
    root = tmp_path_factory.mktemp("shapes")
    F.build_shapes(root / "official")
    manifest = build_site(root / "official", root / "site", workers=1)
    return root / "official", root / "site", manifest


def page(site, src):
    text = (site / (src[:-3] + ".html")).read_text(encoding="utf-8")
    return text.split("<article>", 1)[1].split("</article>", 1)[0]


def table(site, csv):
    return page(site, db_stem(csv) + ".md")


def test_callouts_keep_their_text_and_show_no_markup(shapes):
    _, site, _ = shapes
    body = page(site, F.SH_HOME)
    asides = re.findall(r"<aside>(.*?)</aside>", body, re.S)
    assert len(asides) == 4
    assert "&lt;" not in body and "&gt;" not in body
    assert "Click <strong>here</strong> first." in asides[0]
    assert '<h3 id="appendix">Appendix</h3>' in asides[1] and "<li>first point</li>" in asides[1]
    assert "Emoji callout." in asides[3]


def test_a_remote_icon_is_never_loaded_and_shows_its_name(shapes):
    _, site, _ = shapes
    body = page(site, F.SH_HOME)
    assert "notion.so/icons" not in re.sub(r'title="[^"]*"', "", body)
    assert body.count('<span class="remote-icon" role="img" aria-label="cursor click"') == 2


def test_an_uploaded_icon_is_an_image_of_the_site(shapes):
    _, site, _ = shapes
    assert '<img src="Home/icon.png" alt="callout icon" width="40" loading="lazy" />' in page(site, F.SH_HOME)


def test_links_without_text_show_the_targets_name(shapes):
    _, site, _ = shapes
    body = page(site, F.SH_HOME)
    db = f"Home/Inline DB {F.ident('sh-db')}.html"
    assert (f'Mention: <a href="Home/Inline%20DB%20{F.ident("sh-db")}.html" data-db="{preview_name(db)}">Inline DB</a>'
            in body)
    assert f'Page without text: <a href="Projects%20{F.ident("sh-projects")}.html">Projects</a>' in body
    assert 'Web: <a href="https://www.notion.so">https://www.notion.so</a>' in body


def test_files_property_links_each_file_and_shows_images_as_thumbnails(shapes):
    _, site, _ = shapes
    cell = re.search(r"<th>Files &amp; media</th><td>(.*?)</td>", page(site, F.SH_ROW_A)).group(1)
    parts = cell.split(", ")
    assert len(parts) == 2
    assert parts[0].startswith('<a class="attachment" href="photo%201.png"') and '<img class="thumb"' in parts[0]
    assert parts[1] == ('<a class="attachment" href="User%20Manual.pdf" title="User Manual.pdf">'
                        "User Manual.pdf</a>")
    remote = re.search(r"<th>Files &amp; media</th><td>(.*?)</td>", page(site, F.SH_ROW_B)).group(1)
    assert remote == '<a href="https://example.com/manual.pdf">https://example.com/manual.pdf</a>'


def test_url_email_and_phone_properties_are_links(shapes):
    _, site, _ = shapes
    body = page(site, F.SH_ROW_A)
    assert '<a href="https://example.com/a">https://example.com/a</a>' in body
    assert '<a href="mailto:ann@example.com">ann@example.com</a>' in body
    assert '<a href="tel:+15550100">+1 555 0100</a>' in body


def test_multi_value_relations_keep_their_separator(shapes):
    _, site, _ = shapes
    for body in (page(site, F.SH_ROW_A), table(site, F.SH_DB_ALL)):
        related = re.search(r">Row B</a>(.{0,4})<a ", body)
        assert related and related.group(1) == ", "


def test_database_cells_link_files_and_addresses_like_the_page(shapes):
    _, site, _ = shapes
    body = table(site, F.SH_DB_ALL)
    assert 'href="Inline%20DB/photo%201.png"' in body and 'href="Inline%20DB/User%20Manual.pdf"' in body
    assert '<a href="mailto:ann@example.com">' in body and '<a href="tel:+15550100">' in body


def test_linked_view_rows_open_the_source_databases_pages(shapes):
    _, site, _ = shapes
    body = table(site, F.SH_VIEW_ALL)
    assert f'<a href="../Home/Inline%20DB/Row%20A%20{F.ident("sh-a")}.html">Row A</a>' in body
    assert f'<a href="../Home/Inline%20DB/Row%20B%20{F.ident("sh-b")}.html">Row B</a>' in body
    assert f'<a href="../Home/Inline%20DB/Row%20C%20{F.ident("sh-c")}.html">Row C</a>' in body
    assert "<td>Gone row</td>" in body       # no such page anywhere: plain text


def test_sidebar_leaves_rows_to_their_table_and_names_folders_without_their_page(shapes):
    _, site, _ = shapes
    files = {str(p.relative_to(site)): p.read_text(encoding="utf-8") for p in (site / "_site").rglob("nav*/**/*.js")}
    files[NAV_JS] = (site / NAV_JS).read_text(encoding="utf-8")
    titles = [entry[0] for entries in read_lists(files)[1].values() for entry in entries["n"]]
    assert "Inline DB" in titles and not {"Row A", "Row B", "Row C"} & set(titles)
    assert "My Links" in titles and not any(F.ident("sh-links") in t for t in titles)
    text = (site / (F.SH_BOOKMARKS[:-3] + ".html")).read_text(encoding="utf-8")
    crumbs = re.search(r'<nav class="breadcrumbs"[^>]*>(.*?)</nav>', text).group(1)
    assert re.search(r' / <span data-nav="[0-9a-f]{12}">My Links</span>$', crumbs)


def test_every_link_opens_a_file_has_text_and_every_attachment_is_linked(shapes):
    official, site, manifest = shapes
    assert manifest["broken_links"] == [] and manifest["missing_attachments"] == []
    assert check_site(site, official) == {"broken": [], "empty_links": [], "unlinked": []}


def test_a_missing_file_beside_found_ones_is_reported(tmp_path):
    F.build_shapes(tmp_path / "official")
    (tmp_path / "official" / F.SH_MANUAL).unlink()
    manifest = build_site(tmp_path / "official", tmp_path / "site", workers=1)
    assert {(m["page"], m["href"]) for m in manifest["missing_attachments"]} == {
        (F.SH_ROW_A, "User%20Manual.pdf"), (F.SH_DB_ALL, "Inline%20DB/User%20Manual.pdf")}
    cell = re.search(r"<th>Files &amp; media</th><td>(.*?)</td>", page(tmp_path / "site", F.SH_ROW_A)).group(1)
    assert "User Manual.pdf (attachment missing from the backup)" in html.unescape(cell)


def test_changes_page_names_pages_by_title_and_trail_without_ids(tmp_path):
    from tests.lib.site.test_build import snapshot_of
    official, site = tmp_path / "official", tmp_path / "site"
    F.build_shapes(official)
    draft = official / f"Draft {F.ident('sh-draft')}.md"
    draft.write_text("# Draft\n\nWords.\n", encoding="utf-8")
    previous = snapshot_of(official, "2026-11-19T03:00:00Z", "2026-11-19")
    draft.unlink()                  # renamed in Notion: a new name, the same id
    (official / f"Final notes {F.ident('sh-draft')}.md").write_text("# Final notes\n\nWords.\n", encoding="utf-8")
    (official / F.SH_ROW_C).write_text("# Row C\n\nStatus: Done\n\nEdited.\n", encoding="utf-8")
    (official / F.SH_BOOKMARKS).unlink()
    (official / F.SH_PHOTO).write_bytes(F.PNG + b"\0")
    (official / F.SH_DB_ALL).write_text((official / F.SH_DB_ALL).read_text(encoding="utf-8") + "Row D,Open\n",
                                        encoding="utf-8")
    (official / F.SH_DB).write_text((official / F.SH_DB).read_text(encoding="utf-8") + "Row D,Open\n",
                                    encoding="utf-8")
    build_site(official, site, snapshot_of(official), previous, workers=1)
    article = page(site, "_site/changes.md")
    assert not re.search(r"[0-9a-f]{32}", re.sub(r'href="[^"]*"', "", article))
    changed = article.split("<h2>Changed", 1)[1].split("<h2>Removed", 1)[0]
    assert ">Row C</a> <span class=\"badge\">page</span> <small class=\"trail\">in <a " in changed
    assert changed.count(">Inline DB</a> <span class=\"badge\">database</span>") == 1    # two CSVs, one line
    assert "photo 1.png</a> <span class=\"badge\">file</span>" in changed
    moved = article.split("<h2>Renamed or moved (1)", 1)[1].split("<h2>", 1)[0]
    assert ">Final notes</a> (was Draft) <span class=\"badge\">page</span>" in moved
    assert "<h2>Added (0)</h2>" in article
    removed = article.split("<h2>Removed", 1)[1]
    assert "<li>Bookmarks <span class=\"badge\">page</span> <small class=\"trail\">in My Links</small></li>" in removed


def test_an_incremental_build_after_a_days_edits_equals_a_full_build(tmp_path):
    official, site = tmp_path / "official", tmp_path / "site"
    F.build_shapes(official)
    build_site(official, site, workers=1)
    # Renamed in Notion: the page, its folder (holding the linked view) and the links to it.
    view = f"Inline%20DB%20{F.ident('sh-view')}.csv"
    (official / F.SH_PROJECTS).unlink()
    (official / "Projects").rename(official / "Plans")
    (official / f"Plans {F.ident('sh-projects')}.md").write_text(f"# Plans\n\n[Inline DB](Plans/{view})\n",
                                                                 encoding="utf-8")
    # A new row, in the table and in the linked view.
    (official / f"Home/Inline DB/Row D {F.ident('sh-d')}.md").write_text("# Row D\n\nStatus: Done\n", encoding="utf-8")
    for csv in (F.SH_DB, F.SH_DB_ALL):
        (official / csv).write_text((official / csv).read_text(encoding="utf-8") + "Row D,Done,,,,,\n",
                                    encoding="utf-8")
    for csv in (F.SH_VIEW, F.SH_VIEW_ALL):
        path = official / csv.replace("Projects/", "Plans/")
        path.write_text(path.read_text(encoding="utf-8") + "Row D,Done\n", encoding="utf-8")
    incremental = build_site(official, site, workers=1)
    full = build_site(official, tmp_path / "full", workers=1)
    assert 0 < incremental["pages_rendered"] < full["pages_rendered"]
    assert list(output_files(site)) == list(output_files(tmp_path / "full"))
    assert "Page without text: <a href=\"Plans%20" in page(site, F.SH_HOME) and ">Plans</a>" in page(site, F.SH_HOME)
    assert f'<a href="../Home/Inline%20DB/Row%20D%20{F.ident("sh-d")}.html">Row D</a>' in table(
        site, F.SH_VIEW_ALL.replace("Projects/", "Plans/"))


def test_files_values_as_real_exports_write_them(tmp_path):
    # Paths from the page's folder ('../x.jpeg'), bare names beside the page, '&' left unencoded in a cell.
    from lib.site.links import SiteIndex
    from lib.site.props import render_value
    from lib.site.render import make_markdown
    db = f"Projects & Tasks {F.ident('pt')}"
    files = [f"{db}.csv", f"{db}/Row {F.ident('row')}.md", f"{db}/Row/Sub {F.ident('sub')}.md",
             f"{db}/DO010003572.jpeg", f"{db}/Row/E225W-19206C_UserManual.pdf"]
    index = SiteIndex(files)
    _, renderer = make_markdown()

    def rendered(src, name, value):
        renderer.index, renderer.src, renderer.out = index, src, index.out[src]
        renderer.reset()
        return render_value(name, value, renderer), renderer.missing

    out, missing = rendered(files[2], "Files & media", "../DO010003572.jpeg, E225W-19206C_UserManual.pdf")
    assert missing == [] and out.count('class="attachment"') == 2 and '<img class="thumb"' in out
    out, missing = rendered(files[0], "Files", "Projects%20&%20Tasks%20" + F.ident("pt") + "/DO010003572.jpeg")
    assert missing == [] and 'href="Projects%20%26%20Tasks%20' in out
    assert rendered(files[1], "Hotel", "1234567")[0] == "1234567"          # a number, not a phone number
    assert rendered(files[1], "Notes", "v1.2 is out")[0] == "v1.2 is out"
