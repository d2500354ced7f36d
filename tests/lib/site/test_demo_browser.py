"""The site of the demo workspace (the product's fake Notion export) in real Chromium over file://."""
import re

import pytest

from lib.site.build import build_site
from tests.fakes.exports import FakeWorkspace
from tests.lib.trees import write_workspace
from tests.lib.site.test_browser import browser, sync_api, visit  # noqa: F401  (shared fixtures)

expect = sync_api.expect


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    """The `make demo` workspace exported to disk and rendered, as the pipeline does."""
    root = tmp_path_factory.mktemp("demo")
    official = write_workspace(root / "official", FakeWorkspace(seed=7, pages=300, databases=10))
    manifest = build_site(official, root / "site", workers=2)
    assert manifest["broken_links"] == []
    return root / "site", official


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
    page.wait_for_load_state("load")
    assert page.eval_on_selector("article img", "i => i.complete && i.naturalWidth") == 24
