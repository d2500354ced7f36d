"""The site of the demo workspace (the product's fake Notion export) in real Chromium over file://."""
import re

import pytest

from lib.site.build import build_site
from tests.fakes.exports import FakeWorkspace
from tests.lib.site.linkcheck import check_site
from tests.lib.site.test_build import snapshot_of
from tests.lib.trees import write_workspace
from tests.lib.site.test_browser import browser, sync_api, visit  # noqa: F401  (shared fixtures)

expect = sync_api.expect


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    """The `make demo` workspace after its second day, exported to disk and rendered as the pipeline does."""
    root = tmp_path_factory.mktemp("demo")
    workspace = FakeWorkspace(seed=7, pages=300, databases=10)
    previous = snapshot_of(write_workspace(root / "day0", workspace), "2026-11-20T02:00:00Z", "demo-day-1")
    official = write_workspace(root / "official", workspace.with_changes(day=1))
    snapshot = snapshot_of(official, "2026-11-21T02:00:00Z", "demo-day-2")
    manifest = build_site(official, root / "site", snapshot, previous, workers=2)
    assert manifest["broken_links"] == [] and manifest["missing_attachments"] == []
    return root / "site", official


def html_of(official, path):
    """Return the site path of an export file's page."""
    return path.relative_to(official).with_suffix(".html").as_posix()


def test_link_checker_every_link_opens_has_text_and_reaches_every_attachment(demo_site):
    site, official = demo_site
    assert check_site(site, official) == {"broken": [], "empty_links": [], "unlinked": []}


def deepest_page(official):
    """Return (relative html path, title) of the most deeply nested Markdown page."""
    page = max(official.rglob("*.md"), key=lambda p: (len(p.relative_to(official).parts), str(p)))
    title = page.read_text(encoding="utf-8").splitlines()[0].lstrip("# ").strip()
    return page.relative_to(official).with_suffix(".html").as_posix(), title


def test_index_links_open_pages_and_subpages(visit, demo_site):
    site, _ = demo_site
    page = visit.open(site, "index.html")
    link = page.locator("nav a[href$='.html']:not([href='index.html'])").first
    title = link.inner_text().strip()
    link.click()
    expect(page).to_have_title(re.compile(re.escape(title[:20])))
    sub = page.locator("article a[href$='.html']").first
    sub_title = sub.inner_text().strip()
    sub.click()
    expect(page).to_have_title(re.compile(re.escape(sub_title[:20])))


def test_search_finds_the_deepest_page(visit, demo_site):
    site, official = demo_site
    _, title = deepest_page(official)
    page = visit.open(site, "index.html")
    page.fill("#search", title)
    page.locator("#search-results a").filter(has_text=re.compile(rf"^{re.escape(title)}")).first.click()
    expect(page).to_have_title(re.compile(rf"^{re.escape(title)}"))


def test_database_rows_link_to_their_pages(visit, demo_site):
    site, official = demo_site
    database = sorted(p for p in official.rglob("*.csv") if not p.name.endswith("_all.csv"))[0]
    page = visit.open(site, database.relative_to(official).with_suffix(".html").as_posix())
    row = page.locator("table.database a[href$='.html']").first
    target = row.evaluate("a => a.href")
    row.click()
    page.wait_for_load_state("load")
    assert page.url == target
    assert page.locator("table.properties").count() == 1, "a row page shows its properties"


def test_an_attachment_image_loads(visit, demo_site):
    site, official = demo_site
    with_image = next(p for p in sorted(official.rglob("*.md")) if "![" in p.read_text(encoding="utf-8"))
    page = visit.open(site, with_image.relative_to(official).with_suffix(".html").as_posix())
    # A busy machine may fire `load` before a lazily decoded image settles: wait for the image itself.
    page.wait_for_function("() => { const i = document.querySelector('article img'); return i && i.complete; }")
    assert page.eval_on_selector("article img", "i => i.naturalWidth") == 24


def test_a_files_property_opens_its_file(visit, demo_site):
    site, official = demo_site
    row = next(p for p in sorted(official.rglob("*.md")) if "\nFiles & media: " in p.read_text(encoding="utf-8")
               and ".png" in p.read_text(encoding="utf-8").split("Files & media: ", 1)[1].split("\n")[0])
    page = visit.open(site, html_of(official, row))
    page.wait_for_load_state("load")
    files = page.locator("table.properties tr", has_text="Files & media").locator("a.attachment")
    assert files.count() >= 1
    thumb = files.locator("img.thumb").first
    assert thumb.evaluate("i => i.complete && i.naturalWidth") == 24
    target = thumb.evaluate("i => i.closest('a').href")
    thumb.click()
    page.wait_for_load_state("load")
    assert page.url == target and target.endswith(".png")
    assert (site / target.split(site.as_uri() + "/", 1)[1].replace("%20", " ")).is_file()


def test_a_callout_shows_its_text_and_no_markup(visit, demo_site):
    site, official = demo_site
    source = next(p for p in sorted(official.rglob("*.md"))
                  if '<aside>\n<img src="https://www.notion.so/icons/' in p.read_text(encoding="utf-8"))
    raw = source.read_text(encoding="utf-8").split("<aside>\n", 1)[1].split("\n", 1)[0]
    words = raw.split("/>", 1)[1].strip()
    page = visit.open(site, html_of(official, source))
    callout = page.locator("article aside").first
    expect(callout).to_contain_text(words)
    text = callout.inner_text()
    assert "<" not in text and ">" not in text and "notion.so" not in text
    assert callout.locator("img").count() == 0        # the remote icon is never fetched: its name instead
    expect(callout.locator(".remote-icon")).to_have_attribute("role", "img")


def test_a_linked_views_rows_open_their_pages(visit, demo_site):
    site, official = demo_site
    # A linked view: its CSV sits in a page's folder with no folder of row pages beside it.
    view = next(p for p in sorted(official.rglob("*_all.csv"))
                if not (p.parent / p.name[:-8].rsplit(" ", 1)[0]).is_dir())
    page = visit.open(site, html_of(official, view.with_name(view.name[:-8] + ".md")))
    rows = page.locator("table.database tbody tr td:first-child a")
    assert rows.count() == view.read_text(encoding="utf-8").count("\n") - 1
    title = rows.first.inner_text()
    with page.expect_navigation():
        rows.first.click()
    expect(page).to_have_title(title)
    assert page.locator("table.properties").count() == 1


def test_no_link_without_text_in_the_sidebar_breadcrumbs_or_pages(visit, demo_site):
    site, official = demo_site
    pages = ["index.html", "_site/changes.html", html_of(official, sorted(official.rglob("*.md"))[0])]
    pages += [html_of(official, p.with_name(p.name[:-8] + ".md")) for p in sorted(official.rglob("*_all.csv"))[:2]]
    for path in pages:
        page = visit.open(site, path)
        page.wait_for_selector("#sidebar a")
        empty = page.evaluate("() => [...document.querySelectorAll('a')]"
                              ".filter(a => !a.textContent.trim() && !a.querySelector('img[alt]'))"
                              ".map(a => a.outerHTML)")
        assert empty == [], path


def test_changes_page_names_the_days_edits_by_title(visit, demo_site):
    site, _ = demo_site
    page = visit.open(site, "_site/changes.html")
    changed = page.locator("h2:has-text('Changed') + ul li")
    assert 1 <= changed.count() <= 10          # a handful of edits, not the whole workspace
    assert not re.search(r"[0-9a-f]{32}", page.locator("article").inner_text())
    edited = page.locator("h2:has-text('Changed') + ul li > a").first
    title = edited.inner_text()
    with page.expect_navigation():
        edited.click()
    expect(page).to_have_title(title)
