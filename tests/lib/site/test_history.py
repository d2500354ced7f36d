"""The site's page history, built from a real snapshot branch: links that open, deleted pages found, versions
and diffs written once and reused, history pages of unchanged pages that stay byte for byte the same."""
import json
import re
import shutil

import pytest

from lib.git.site_history import blob_reader, site_history
from lib.core.notion_names import page_key
from lib.site import build_site, history_cache
from lib.site.history_pages import history_page
from lib.site.state_db import BuildState
from tests.fakes.exports import FakeWorkspace
from tests.lib.git.history_fixtures import BRANCH, commit_backups, epoch, promote, snapshot_days, write_export
from tests.lib.site.linkcheck import check_site
from tests.lib.site.searchindex import read_index

SCRIPT = [{"day": 1, "edit": "Date export beta table"}, {"day": 2, "delete": "Date export beta table"}]
WORKSPACE = dict(seed=32, pages=150, databases=8, script=SCRIPT)
DELETED = "74357aba07b2864b65f20bb3b09f08ce"
NOW = epoch("2026-11-22")


def build(base, day, run_id, date, workers=1, days=90, now=NOW):
    """Promote `day` of the workspace (not committed yet) and render the site with its history."""
    backups = base / "backups"
    write_export(FakeWorkspace(day=day, **WORKSPACE), backups / "official")
    snapshot = promote(backups, run_id, epoch(date))
    history = site_history(base / "repo.git", BRANCH, days, history_cache(backups / "site"),
                           {"snapshot": snapshot, "official": str(backups / "official")}, now=now)
    with blob_reader(base / "repo.git") as read:
        return build_site(backups / "official", backups / "site", snapshot, None, workers, history, read)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Three committed days and a fourth promoted: the site as the render stage builds it on day 4."""
    base = tmp_path_factory.mktemp("history-site")
    snapshot_days(base / "repo.git", base / "backups",
                  [(0, "day-1", "2026-11-18"), (1, "day-2", "2026-11-19"), (2, "day-3", "2026-11-20")], **WORKSPACE)
    manifest = build(base, 3, "day-4", "2026-11-21", workers=2)
    return base, manifest


def test_every_page_links_its_history_and_every_link_opens(site):
    base, manifest = site
    root = base / "backups" / "site"
    assert check_site(root)["broken"] == []
    pages = [p for p in root.rglob("*.html") if "_site" not in p.parts]
    assert len(pages) > 150
    for page in pages:
        text = page.read_text(encoding="utf-8")
        if "kind-page" in text or "kind-db" in text:
            assert re.search(r'class="history-link" href="(\.\./)*_site/history/[0-9a-fx]{2}/[0-9a-fx]{32}\.html"', text)
    assert manifest["history"]["snapshots"] == 4 and manifest["history"]["unavailable"] == 0


def test_a_deleted_page_is_listed_found_by_search_and_keeps_its_versions(site):
    base, _ = site
    root = base / "backups" / "site"
    deleted = (root / "_site" / "deleted.html").read_text(encoding="utf-8")
    assert "Date export beta table" in deleted and "2026-11-20" in deleted
    assert "Date export beta table (deleted)" in [p[0] for p in read_index(root)[0]]
    page = (root / history_page(DELETED)).read_text(encoding="utf-8")
    assert "was deleted from the workspace on 2026-11-20" in page
    assert [w in page for w in ("run day-3", "run day-2", "run day-1")] == [True] * 3
    versions = list((root / history_page(DELETED)[:-5]).glob("*.html"))
    diff = [v for v in versions if "-" in v.stem]
    assert len(versions) == 3 and len(diff) == 1      # day 1, day 2 (its last version), and their diff
    assert "Edited on day 1" in diff[0].read_text(encoding="utf-8")


def test_a_database_diff_compares_rows(site):
    base, _ = site
    root = base / "backups" / "site"
    diffs = [p for p in (root / "_site" / "history").rglob("*-*.html") if "table-diff" in p.read_text(encoding="utf-8")]
    assert diffs, "no database diff"
    text = diffs[0].read_text(encoding="utf-8")
    assert re.search(r"\d+ rows? added; \d+ removed; \d+ changed; \d+ unchanged", text)
    assert '<tr class="added"><td class="status">added</td>' in text


def test_the_next_day_renders_only_what_is_new_and_keeps_unchanged_pages_byte_for_byte(tmp_path):
    snapshot_days(tmp_path / "repo.git", tmp_path / "backups",
                  [(0, "day-1", "2026-11-18"), (1, "day-2", "2026-11-19")], **WORKSPACE)
    first = build(tmp_path, 2, "day-3", "2026-11-20")
    root = tmp_path / "backups" / "site"
    before = {p: p.read_bytes() for p in (root / "_site" / "history").glob("*/*.html")}
    commit_backups(tmp_path / "repo.git", tmp_path / "backups", "day-3", epoch("2026-11-20"))
    again = build(tmp_path, 2, "day-3", "2026-11-20")
    assert again["pages_rendered"] == 0 and again["history"]["rendered"] == 0   # the committed day-3: nothing new
    second = build(tmp_path, 3, "day-4", "2026-11-21")
    changed = {p for p, data in before.items() if p.exists() and p.read_bytes() != data}
    touched = {page_key(e) for e in second_events(tmp_path)}
    assert {p.stem for p in changed} <= touched          # only pages that changed on day 4 got a new history page
    assert second["history"]["reused"] >= first["history"]["rendered"] - 2
    assert second["history"]["rendered"] < first["history"]["rendered"] + 30


def second_events(base):
    """The files day 4 changed against day 3."""
    day3 = {rel: data for rel, _, data in FakeWorkspace(day=2, **WORKSPACE).entries()}
    day4 = {rel: data for rel, _, data in FakeWorkspace(day=3, **WORKSPACE).entries()}
    return [p for p in set(day3) | set(day4) if day3.get(p) != day4.get(p) and p.endswith((".md", ".csv"))]


def test_the_window_leaves_old_deletions_out_and_says_where_history_starts(site, tmp_path):
    base, _ = site
    shutil.copytree(base / "repo.git", tmp_path / "repo.git")
    manifest = build(tmp_path, 3, "day-4", "2026-11-21", days=1, now=epoch("2026-11-22"))
    root = tmp_path / "backups" / "site"
    assert "Date export beta table" not in (root / "_site" / "deleted.html").read_text(encoding="utf-8")
    assert "the site keeps the last 1 day (RENDER_HISTORY_DAYS)" in (root / "_site" / "history.html").read_text(encoding="utf-8")
    assert manifest["history"]["deleted"] < 3


def test_without_history_the_site_has_no_history_links(tmp_path):
    official = tmp_path / "official"
    write_export(FakeWorkspace(**WORKSPACE), official)
    build_site(official, tmp_path / "site", None, None, 1)
    assert not (tmp_path / "site" / "_site" / "history").exists()
    assert all("history-link" not in p.read_text(encoding="utf-8") for p in (tmp_path / "site").rglob("*.html"))
    assert "history" not in json.dumps(BuildState.open(tmp_path / "site")["manifest"])


def test_a_diff_records_the_links_it_shows_so_a_moved_target_writes_it_again(site):
    base, _ = site
    state = BuildState.open(base / "backups" / "site")
    diffs = [facts for rel, facts in state["history"]["outputs"].items()
             if re.search(r"/[0-9a-f]{12}-[0-9a-f]{12}\.html$", rel)]
    assert diffs and any(facts["links"] for facts in diffs)
    assert all(facts["sig"] and facts["src"] for facts in diffs if facts["links"])
