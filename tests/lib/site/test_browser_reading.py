"""Reading the site in Chromium as a person would: wide tables, phones, dark mode, search, plain words."""
import datetime
import re

import pytest
from hypothesis import given, settings, strategies as st

from lib.site.build import ASSETS, build_site
from lib.site.nav_parts import CHUNK
from lib.site.search import fold
from tests.bench.view_bytes import site_path, view_files
from tests.lib.site import reading_fixtures as R
from tests.lib.site.test_browser import Visit, browser  # noqa: F401  (the module's browser fixture)

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect
SNAPSHOT = {"run_id": "run-2", "time": "2026-12-07T01:20:00Z", "files": []}
PREVIOUS = {"run_id": "run-1", "time": "2026-12-06T01:20:00Z", "files": []}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("reading")
    R.build_reading(root / "official")
    build_site(root / "official", root / "site", SNAPSHOT, PREVIOUS, workers=1)
    return root / "site"


def html(src):
    return src.rsplit(".", 1)[0] + ".html"


def open_page(browser, site, rel, width=1400, height=900, **options):
    visit = Visit(browser)
    visit.context.close()
    visit.context = browser.new_context(viewport={"width": width, "height": height}, **options)
    visit.context.route("**/*", visit._route)
    visit.page = visit.context.new_page()
    visit.page.on("console", lambda m: m.type == "error" and visit.errors.append(m.text))
    visit.page.on("pageerror", lambda e: visit.errors.append(str(e)))
    visit.page.goto((site / rel).as_uri())
    return visit


def test_a_wide_database_gets_the_window_with_a_sticky_sortable_header(browser, site):
    visit = open_page(browser, site, html(R.WIDE))
    page = visit.page
    box = page.locator(".table-wrap").bounding_box()
    assert box["width"] >= 1000, box
    page.eval_on_selector(".table-wrap", "w => { w.scrollTop = 400; }")
    wrap_top = page.locator(".table-wrap").bounding_box()["y"]
    assert abs(page.locator("table.database thead th >> nth=0").bounding_box()["y"] - wrap_top) < 2
    scores = lambda: [int(t) for t in page.locator("table.database tbody td:nth-child(2)").all_inner_texts()]
    original = scores()
    page.click("table.database th >> text=Score")
    assert scores() == sorted(original) and scores() != original
    page.click("table.database th >> text=Score")
    assert scores() == sorted(original, reverse=True)
    expect(page.locator("table.database th >> nth=1")).to_have_attribute("aria-sort", "descending")
    page.click("table.database th >> text=Due")              # dates sort by time, not by month name
    due = [datetime.datetime.strptime(t, "%B %d, %Y") for t in
           page.locator("table.database tbody td:nth-child(4)").all_inner_texts()]
    assert due == sorted(due)
    assert len(set(due)) > 20
    assert page.locator("table.database tbody td:nth-child(3)").all_inner_texts()[:3] != ["Yes"] * 3
    assert set(page.locator("table.database tbody td:nth-child(3)").all_inner_texts()) == {"☑", "☐"}
    page.emulate_media(media="print")
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.locator("table.database").bounding_box()["width"] <= width + 1     # no column cut off on paper
    visit.close()


def test_no_page_scrolls_sideways_on_a_phone(browser, site):
    pages = ["index.html", "_site/broken-links.html", "_site/changes.html", html(R.WIDE), html(R.HOST), html(R.BROKEN)]
    visit = open_page(browser, site, pages[0], width=400, height=800, is_mobile=True)
    for rel in pages:
        visit.page.goto((site / rel).as_uri())
        visit.page.wait_for_load_state("load")
        assert visit.page.evaluate("document.documentElement.scrollWidth") <= 400, rel
    # A wide table scrolls inside its own box instead.
    visit.page.goto((site / html(R.WIDE)).as_uri())
    assert visit.page.eval_on_selector(".table-wrap", "w => w.scrollWidth > w.clientWidth")
    toggle = visit.page.locator(".nav-toggle")
    assert toggle.bounding_box()["height"] >= 44 and toggle.bounding_box()["width"] >= 44
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    heights = visit.page.eval_on_selector_all("#sidebar a, #sidebar summary",
                                              "els => els.map(e => e.getBoundingClientRect().height)")
    assert heights and min(heights) >= 44                  # tap targets on a phone
    visit.page.reload()
    visit.page.keyboard.press("Tab")                       # the first stop: a link past the header to the text
    expect(visit.page.locator("a.skip")).to_be_focused()
    assert visit.page.locator("a.skip").bounding_box()["y"] >= 0
    visit.page.keyboard.press("Enter")
    expect(visit.page.locator("main")).to_be_focused()
    visit.close()


def test_dark_mode_follows_the_system(browser, site):
    for scheme, dark in (("dark", True), ("light", False)):
        visit = open_page(browser, site, html(R.WIDE), color_scheme=scheme)
        rgb = visit.page.evaluate("getComputedStyle(document.body).backgroundColor")
        level = sum(int(n) for n in re.findall(r"\d+", rgb)[:3]) / 3
        assert (level < 60) if dark else (level > 200), (scheme, rgb)
        visit.close()


def test_search_folds_accents_ranks_titles_first_and_says_how_many(browser, site):
    visit = open_page(browser, site, "index.html")
    page = visit.page
    page.fill("#search", "nandu")
    first = page.locator("#search-results a >> nth=0")
    expect(first.locator(".title")).to_have_text("Ñandú facts")
    expect(first.locator(".snippet mark")).to_have_text("ñandú")
    page.fill("#search", "LINKWORD")
    expect(page.locator("#search-results li.note")).to_have_text(f"50 of {R.MANY + 2} pages")
    expect(first.locator(".title")).to_have_text("Linkword in the title")     # a title hit first
    expect(page.locator("#search-results a >> nth=1").locator(".title")).to_have_text("Dense")  # then the most
    expect(page.locator("#search-results a >> nth=1").locator(".snippet mark")).to_have_count(3)  # and all marked
    page.click("#search-results li.more button")
    expect(page.locator("#search-results li.note")).to_have_text(f"100 of {R.MANY + 2} pages")
    expect(page.locator("#search-results a")).to_have_count(100)
    page.click("article h1")                     # a click elsewhere closes the list
    expect(page.locator("#search-results li")).to_have_count(0)
    page.fill("#search", "flightless")
    expect(page.locator("#search-results li.note")).to_have_text("1 page")
    page.press("#search", "Escape")
    expect(page.locator("#search-results li")).to_have_count(0)
    visit.close()


def test_an_inline_database_shows_its_first_rows_in_the_page(browser, site):
    visit = open_page(browser, site, html(R.HOST))
    page = visit.page
    rows = page.locator("article .inline-db table.database tbody tr")
    expect(rows).to_have_count(10)
    expect(page.locator("article .inline-db .db-meta a")).to_have_text("All 25 rows of Habits")
    with page.expect_navigation():
        page.click("article .inline-db .db-meta a")
    expect(page).to_have_title("Habits · Notion backup")
    visit.close()


def test_plain_words_dates_counts_and_broken_links_by_title(browser, site):
    visit = open_page(browser, site, "index.html")
    page = visit.page
    assert "7 Dec 2026, 01:20 UTC" in page.inner_text("table.summary")
    expect(page).to_have_title(re.compile("Notion backup"))
    page.goto((site / "_site/broken-links.html").as_uri())
    report = page.inner_text("article")
    assert "New Project" in report and "in Projects & Tasks" in report
    assert "Another very long page name that is gone" in report and "%20" not in report
    for path in site.rglob("*.html"):
        text = re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))
        assert not re.search(r"(?<![\d,.])1 (pages|rows|links|snapshots|attachments|files)\b", text), path
    visit.close()


def test_a_page_view_loads_the_sidebar_parts_it_names_and_rows_stay_in_their_table(browser, site):
    note = R.note(7)
    visit = open_page(browser, site, html(R.WIDE))
    loaded = []
    visit.page.on("requestfinished", lambda r: loaded.append(site_path(site, r.url)))
    visit.page.goto((site / html(note)).as_uri())
    expect(visit.page.locator("#sidebar a.current")).to_have_text("Note 7")
    visit.page.wait_for_load_state("networkidle")
    assert set(loaded) == view_files(site, html(note))          # the benchmark's model of a page view
    assert any(p.startswith("_site/nav/") for p in loaded) and len(loaded) <= 6
    # A database's rows are in its table, not in the sidebar; the database is shown as where a row belongs.
    # A page in a long list's later piece is shown in place; "More…" loads the rest of the list.
    late = R.note(310)
    visit.page.goto((site / html(late)).as_uri())
    expect(visit.page.locator("#sidebar a.current")).to_have_text("Note 310")
    notes = visit.page.locator("#sidebar a", has_text=re.compile(r"^Note \d+$"))
    expect(notes).to_have_count(CHUNK + 1)
    visit.page.click("#sidebar button.more")
    expect(notes).to_have_count(R.MANY)                   # Note 310 moved from where it was shown to its place
    visit.page.goto((site / html(R.HOST)).as_uri())
    expect(visit.page.locator("#sidebar >> text=Habits")).to_be_visible()
    assert visit.page.locator("#sidebar >> text=Day 3").count() == 0
    visit.close()


@given(st.lists(st.text(max_size=20), min_size=1, max_size=40))
@settings(max_examples=5, deadline=None)
def test_the_browser_folds_text_as_the_index_does(browser, words):  # noqa: F811
    # site.js's own fold(), run in Chromium, against lib/site/search.py's: a typed word must meet its tokens.
    source = re.search(r"function fold\(s\) \{.*?\}", (ASSETS / "site.js").read_text(encoding="utf-8")).group(0)
    context = browser.new_context()
    page = context.new_page()
    words = words + ["Ñandú", "ＡＢＣ", "ﬁne", "Crème", "がっこう", "한국어", "İstanbul", "ΣΊΣΥΦΟΣ"]
    assert page.evaluate("words => { %s; return words.map(fold); }" % source, words) == [fold(w) for w in words]
    context.close()
