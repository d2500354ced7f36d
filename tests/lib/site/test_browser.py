"""The rendered site in real Chromium over file://: links, search, images, databases, no network."""
import os
import shutil
from pathlib import Path

import pytest

from lib.site.build import build_site
from tests.lib.site import site_fixtures as F

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


def chromium_path(playwright):
    """Return the browser to drive: CHROMIUM_PATH, Playwright's own, else Debian's chromium."""
    candidates = (os.environ.get("CHROMIUM_PATH"), playwright.chromium.executable_path,
                  "/usr/bin/chromium", shutil.which("chromium") or "")
    for candidate in candidates:
        if candidate and os.path.exists(candidate):
            return candidate
    return None


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        path = chromium_path(p)
        if path is None:
            pytest.skip("no Chromium: set CHROMIUM_PATH or apt-get install chromium")
        browser = p.chromium.launch(executable_path=path)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def tricky_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("tricky")
    F.build_tricky(root / "official")
    build_site(root / "official", root / "site", workers=1)
    return root / "site"


@pytest.fixture(scope="module")
def big_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("big")
    F.build_generated(root / "official", pages=3000)
    build_site(root / "official", root / "site", workers=2)
    return root / "site"


class Visit:
    """One browser page that refuses every non-file request and records console errors."""

    def __init__(self, browser):
        self.context = browser.new_context(viewport={"width": 1200, "height": 800})
        self.leaks, self.errors = [], []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _route(self, route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            self.leaks.append(route.request.url)
            route.abort()

    def open(self, site, src):
        self.page.goto((site / src).as_uri())
        return self.page

    def close(self):
        self.context.close()
        assert self.leaks == [], "requests left the machine"
        assert self.errors == [], "console errors"


@pytest.fixture()
def visit(browser):
    v = Visit(browser)
    yield v
    v.close()


def html(src):
    return src[:-3] + ".html"


def test_link_to_subpage_opens_it(visit, tricky_site):
    page = visit.open(tricky_site, html(F.HOME))
    page.click("article >> text=Hash and question")
    expect(page).to_have_title("What? Why #1" + " · Notion backup")
    page.go_back()
    page.click("article >> text=Percent")
    expect(page).to_have_title("50% Done" + " · Notion backup")


def test_search_finds_a_deep_page_and_opens_it(visit, tricky_site):
    page = visit.open(tricky_site, html(F.HOME))
    page.fill("#search", F.DEEP_WORD[:6])
    page.click("#search-results a")
    expect(page).to_have_title("Deeper" + " · Notion backup")
    page.fill("#search", "東京")
    page.wait_for_selector("#search-results a")
    assert page.inner_text("#search-results a").startswith("日本語のページ")
    page.fill("#search", "fix bug")
    expect(page.locator("#search-results a")).to_have_count(3)    # two rows and their database
    page.press("#search", "ArrowDown")
    page.press("#search", "ArrowDown")
    with page.expect_navigation():
        page.press("#search", "Enter")
    expect(page).to_have_title("Fix bug" + " · Notion backup")


def test_image_loads_and_missing_one_shows_placeholder(visit, tricky_site):
    page = visit.open(tricky_site, html(F.CAFE))
    page.wait_for_load_state("load")
    assert page.eval_on_selector("article img", "i => i.complete && i.naturalWidth") > 0
    assert page.is_visible(".missing-asset")


def test_database_table_links_to_row_page(visit, tricky_site):
    page = visit.open(tricky_site, F.TASKS_CSV[:-4] + ".html")
    page.click("table.database >> text=Write docs")
    expect(page).to_have_title("Write docs" + " · Notion backup")
    assert page.inner_text("table.properties").startswith("Status")
    # Rows are not in the sidebar: their database is shown as where the reader is.
    expect(page.locator("#sidebar a.current")).to_have_text("Tasks")
    assert page.locator("#sidebar >> text=Write docs").count() == 0


def test_sidebar_highlights_current_page_and_collapses(visit, tricky_site):
    page = visit.open(tricky_site, html(F.DEEPER))
    expect(page.locator("#sidebar a.current")).to_have_text("Deeper")
    page.click("#sidebar >> text=Home")
    expect(page).to_have_title("Home" + " · Notion backup")
    expect(page.locator("#sidebar >> text=Café ☕ Notes")).to_be_visible()


def test_big_workspace_search_links_and_screenshot(visit, big_site):
    page = visit.open(big_site, "index.html")
    page.fill("#search", "uniq2345x1")
    with page.expect_navigation():
        page.click("#search-results a")
    target = page.title()
    assert target.startswith("Note ") and "uniq2345x1" in page.inner_text("article")
    with page.expect_navigation():
        page.click("article ul a >> nth=0")
    expect(page).not_to_have_title(target)
    expect(page.locator("#sidebar a.current")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "site.png"))


def test_network_guard_catches_a_remote_request(browser, tricky_site):
    # The guard every other test relies on: a remote request is refused and recorded.
    v = Visit(browser)
    page = v.open(tricky_site, html(F.LINKS))
    page.evaluate("() => { const i = new Image(); i.src = 'https://example.com/x.png';"
                  " document.body.appendChild(i); }")
    page.wait_for_timeout(300)
    assert v.leaks == ["https://example.com/x.png"]
    assert page.eval_on_selector("a[href='https://example.com/page']", "a => a.tagName") == "A"
    v.context.close()


def test_readable_on_a_phone_and_in_print(browser, tricky_site):
    context = browser.new_context(viewport={"width": 375, "height": 700}, is_mobile=True)
    page = context.new_page()
    page.goto((tricky_site / html(F.LINKS)).as_uri())
    assert not page.is_visible("#sidebar")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.click(".nav-toggle")
    expect(page.locator("#sidebar a.current")).to_be_visible()
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    page.emulate_media(media="print")
    assert page.evaluate("document.querySelector('article details').open")
    assert not page.is_visible("#sidebar") and not page.is_visible("#search")
    assert page.is_visible("article h1")
    context.close()
