"""In real Chromium over file://: a page's History, an earlier version, a diff with its words marked, and a
deleted page found by search, all without a request leaving the machine."""
import shutil

import pytest

from tests.lib.git.history_fixtures import snapshot_days
from tests.lib.site.test_browser import browser, visit  # noqa: F401  (fixtures)
from tests.lib.site.test_history import WORKSPACE, build

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect
EDITED = "Meeting notes/Meeting Notes/notes/Date export beta table 74357aba07b2864b65f20bb3b09f08ce.html"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Day 1 and day 2 committed (the page edited), day 3 promoted (the page deleted)."""
    base = tmp_path_factory.mktemp("browser-history")
    snapshot_days(base / "repo.git", base / "backups", [(0, "day-1", "2026-11-18"), (1, "day-2", "2026-11-19")],
                  **WORKSPACE)
    build(base, 1, "day-2", "2026-11-19")     # the day-2 site: the page is there, with a History link
    shutil.copytree(base / "backups" / "site", base / "day2" / "site")
    build(base, 2, "day-3", "2026-11-20")
    return base / "day2" / "site", base / "backups" / "site"


def background(page, selector):
    return page.eval_on_selector(selector, "e => getComputedStyle(e).backgroundColor")


def test_history_link_opens_the_versions_and_a_diff_marks_the_words(visit, site):  # noqa: F811
    day2, _ = site
    page = visit.open(day2, EDITED)
    page.click("a.history-link")
    expect(page).to_have_title("History: Date export beta table" + " · Notion backup")
    rows = page.locator("table.history tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("19 Nov 2026 (run day-2)")
    expect(rows.nth(0)).to_contain_text("+1")
    page.click("table.history >> text=diff")
    expect(page).to_have_title("Date export beta table (changes)" + " · Notion backup")
    expect(page.locator(".rendered-diff ins.diff-ins", has_text="Edited on day 1")).to_be_visible()
    inserted = page.locator("table.text-diff ins", has_text="Edited on day 1")
    expect(inserted).to_be_hidden()
    page.click("details.source-diff > summary")       # the source diff, a toggle away
    expect(inserted).to_be_visible()
    assert background(page, "table.text-diff tr.add") != "rgba(0, 0, 0, 0)"
    assert background(page, "table.text-diff tr.del") != background(page, "table.text-diff tr.add")
    page.click("aside.history-banner a:text-is('history')")
    page.click("table.history tbody tr:nth-child(2) >> text=view")
    expect(page).to_have_title("Date export beta table (version)" + " · Notion backup")
    expect(page.locator("article")).not_to_contain_text("Edited on day 1")
    expect(page.locator("aside.history-banner")).to_contain_text("18 Nov 2026 (run day-1)")


def test_a_deleted_page_is_listed_and_found_by_search(visit, site):  # noqa: F811
    _, day3 = site
    page = visit.open(day3, "index.html")
    page.click("tr:has(th:text-is('Deleted pages')) a")
    expect(page).to_have_title("Deleted pages" + " · Notion backup")
    page.click("table.history a:text-is('Date export beta table')")
    expect(page).to_have_title("Date export beta table (version)" + " · Notion backup")
    expect(page.locator("aside.history-banner")).to_contain_text("Version of Date export beta table")
    page.fill("#search", "Date export beta")
    result = page.locator("#search-results a", has_text="(deleted)")
    expect(result.first).to_be_visible()
    expect(result.first).to_have_class("deleted")          # struck through in the list
    result.first.click()
    expect(page).to_have_title("Date export beta table (version)" + " · Notion backup")
    page.click("aside.history-banner a:text-is('history')")
    expect(page.locator(".history-lead")).to_contain_text("was deleted from the workspace on 2026-11-20")

