"""In real Chromium over file://: the demo's second day read as changes to rendered pages (a renamed link, a
rewritten paragraph, a database's new row, unchanged blocks folded, the source a toggle away), reached from
_site/changes.html; and a 2024 export's Files & media cell that opens its image."""
import re

import pytest

from lib.core.fsutil import read_json
from lib.git.site_history import blob_reader, site_history
from lib.site import build_site, history_cache
from tests.fakes.exports import FakeWorkspace
from tests.lib.git.history_fixtures import BRANCH, epoch, promote, snapshot_days, write_export
from tests.lib.site.test_browser import browser, visit  # noqa: F401  (fixtures)

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect
DEMO = dict(seed=7, pages=300, databases=10)      # the workspace `make demo` backs up twice


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo's first day committed, its second promoted and rendered with its history, as `make demo` does."""
    base = tmp_path_factory.mktemp("browser-diff")
    backups = base / "backups"
    snapshot_days(base / "repo.git", backups, [(0, "demo-day-1", "2026-11-18")], **DEMO)
    previous = read_json(backups / "manifests" / "snapshot.json")
    write_export(FakeWorkspace(day=1, **DEMO), backups / "official")
    snapshot = promote(backups, "demo-day-2", epoch("2026-11-19"))
    history = site_history(base / "repo.git", BRANCH, 90, history_cache(backups / "site"),
                           {"snapshot": snapshot, "official": str(backups / "official")}, now=epoch("2026-11-20"))
    with blob_reader(base / "repo.git") as read:
        build_site(backups / "official", backups / "site", snapshot, previous, 1, history, read)
    before, after = FakeWorkspace(**DEMO), FakeWorkspace(day=1, **DEMO)
    renamed = next(n for n in after.live_nodes() if n.index < len(before.nodes)
                   and n.title != before.nodes[n.index].title)
    facts = {"renamed": renamed, "old_title": before.nodes[renamed.index].title,
             "linker": next(n for n in after.live_nodes() if renamed.index in n.links),
             "edited": next(n for n in after.live_nodes() if n.rev == 1),
             "row": after.nodes[len(before.nodes)]}
    facts["db"] = after.nodes[facts["row"].parent]
    return backups / "site", facts


def open_diff(visit, site, title):  # noqa: F811
    """Open _site/changes.html and follow the diff link beside a changed page's title."""
    page = visit.open(site, "_site/changes.html")
    page.locator("ul.changes li", has=page.locator("a:text-is(%r)" % title)).locator("a.diff-link").click()
    expect(page).to_have_title("%s (changes)" % title)
    return page


def test_the_snapshots_overview_links_each_change_to_its_diff(visit, demo):  # noqa: F811
    site, facts = demo
    page = visit.open(site, "_site/history.html")
    item = page.locator("ul.changes").first.locator("li", has=page.locator("a:text-is(%r)" % facts["edited"].title))
    item.locator("a.diff-link").click()
    expect(page).to_have_title("%s (changes)" % facts["edited"].title)
    expect(page.locator(".rendered-diff ins.diff-ins")).to_contain_text("Edited on day 1:")


def background(page, locator):
    return locator.evaluate("e => getComputedStyle(e).backgroundColor")


def test_a_renamed_link_shows_as_a_link_with_its_old_and_new_title_marked(visit, demo):  # noqa: F811
    site, facts = demo
    page = open_diff(visit, site, facts["linker"].title)
    diff = page.locator(".rendered-diff")
    link = diff.locator(".diff-changed a", has=page.locator("ins.diff-ins"))
    expect(link).to_have_text(facts["renamed"].title)
    assert facts["renamed"].title.startswith(facts["old_title"])      # "Date" became "Date v2": v2 is marked
    expect(link.locator("ins.diff-ins")).to_have_text(" " + facts["renamed"].title[len(facts["old_title"]) + 1:])
    assert ".md" not in diff.inner_text() and "%20" not in diff.inner_text()
    assert background(page, link.locator("ins.diff-ins")) != "rgba(0, 0, 0, 0)"
    link.click()
    expect(page.locator("h1.page-title")).to_have_text(facts["renamed"].title)


def test_a_rewritten_paragraph_shows_its_words_marked_in_rendered_text(visit, demo):  # noqa: F811
    site, facts = demo
    page = open_diff(visit, site, facts["edited"].title)
    block = page.locator(".rendered-diff .diff-changed")
    expect(block.locator("ins.diff-ins")).to_contain_text("Edited on day 1:")
    gone = block.locator("del.diff-del")
    expect(gone).to_be_visible()
    assert gone.evaluate("e => getComputedStyle(e).textDecorationLine") == "line-through"
    assert background(page, gone) != background(page, block.locator("ins.diff-ins"))
    expect(page.locator(".diff-summary")).to_contain_text("1 changed")


def test_unchanged_blocks_fold_and_open_and_the_source_diff_is_a_toggle(visit, demo):  # noqa: F811
    site, facts = demo
    page = open_diff(visit, site, facts["edited"].title)
    fold = page.locator("details.diff-fold").last
    summary = fold.locator("summary")
    expect(summary).to_have_text(re.compile(r"^\d+ unchanged blocks?$"))
    hidden = fold.locator("p").first
    expect(hidden).to_be_hidden()
    summary.click()
    expect(hidden).to_be_visible()
    source = page.locator("details.source-diff table.text-diff")
    expect(source).to_be_hidden()
    page.click("details.source-diff > summary")
    expect(source.locator("ins", has_text="Edited on day 1")).to_be_visible()


def test_a_database_row_change_shows_row_by_row(visit, demo):  # noqa: F811
    site, facts = demo
    page = open_diff(visit, site, facts["db"].title)
    added = page.locator("table.table-diff tr.added")
    expect(added).to_have_count(1)
    expect(added.locator("td").nth(1)).to_have_text(facts["row"].title)
    expect(page.locator(".diff-summary")).to_contain_text("1 rows added")


@pytest.fixture(scope="module")
def export_2024(tmp_path_factory):
    """A workspace whose database lies in a folder of its own, its Files & media named from the export's root."""
    base = tmp_path_factory.mktemp("export-2024")
    write_export(FakeWorkspace(seed=3, pages=40, databases=2, db_folder=True), base / "official")
    build_site(base / "official", base / "site", workers=1)
    return base / "site"


def test_a_files_and_media_cell_named_from_the_export_root_opens_its_image(visit, export_2024):  # noqa: F811
    table = next(export_2024.glob("Projects & Tasks */Projects & Tasks *.html"))
    page = visit.open(export_2024, str(table.relative_to(export_2024)))
    cell = page.locator("table.database tbody tr").first.locator("td").nth(3)
    thumb = cell.locator("a.attachment img.thumb")
    expect(thumb).to_be_visible()
    assert thumb.evaluate("e => e.complete && e.naturalWidth") > 0
    related = page.locator("table.database tbody tr").nth(1).locator("td").nth(7).locator("a")
    expect(related).to_have_text("Task 1")       # a relation named from the export's root is a link too
    assert "broken-link" not in (related.get_attribute("class") or "")
    cell.locator("a.attachment").click()
    expect(page).to_have_url(re.compile(r"/DO010003572\.jpeg$"))
    assert page.evaluate("document.images.length && document.images[0].naturalWidth") > 0
