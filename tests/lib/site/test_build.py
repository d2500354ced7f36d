"""Whole-site builds: outputs, reports, search index, and incremental re-renders."""
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lib.site.build import build_site
from lib.site.site_manifest import output_files
from lib.site.state_db import SHARDS
from lib.core.fsutil import tree_manifest
from tests.lib.site import site_fixtures as F
from tests.lib.site.searchindex import read_index, titles_found
from tests.lib.trees import write_workspace

REPO = Path(__file__).resolve().parents[3]


def snapshot_of(root, time="2026-11-20T03:00:00Z", run="2026-11-20"):
    manifest = tree_manifest(root)
    return {"run_id": run, "time": time, "files": manifest["files"], "counts": {}}


@pytest.fixture()
def built(tmp_path):
    official, site = tmp_path / "official", tmp_path / "site"
    F.build_tricky(official)
    manifest = build_site(official, site, snapshot_of(official), workers=1)
    return official, site, manifest


def html_of(site, src):
    return (site / (src[:-3] + ".html")).read_text(encoding="utf-8")


def test_every_page_database_and_attachment_is_in_the_site(built):
    official, site, manifest = built
    assert manifest["pages"] == 14 and manifest["databases"] == 1
    assert manifest["pages_rendered"] == 14 and manifest["pages_skipped"] == 0
    for src in (F.HOME, F.CAFE, F.CJK, F.PERCENT, F.HASHQ, F.DUP1, F.DUP2, F.DEEPER):
        assert (site / (src[:-3] + ".html")).is_file()
    assert (site / F.IMAGE).read_bytes() == F.PNG
    assert (site / F.TASKS_ALL).is_file() and (site / F.TASKS_CSV).is_file()
    paths = {f["path"] for f in output_files(site)}
    assert {"index.html", "_site/search-index.js", "_site/nav.js", "_site/site.css", "_site/changes.html"} <= paths


def test_manifest_lists_broken_links_and_missing_attachments(built):
    _, site, manifest = built
    assert {(b["page"], b["href"]) for b in manifest["broken_links"]} == {
        (F.LINKS, "Nowhere%20" + F.ident("nowhere") + ".md"), (F.LINKS, "about:blank#deleted")}
    assert [m["page"] for m in manifest["missing_attachments"]] == [F.CAFE, F.CAFE]
    assert any(m["href"].endswith("slides.pdf") for m in manifest["missing_attachments"])
    report = (site / "_site/broken-links.html").read_text(encoding="utf-8")
    assert "about:blank#deleted" in report and "missing.png" in report


def test_database_table_links_each_row_page_once(built):
    _, site, _ = built
    table = (site / (F.TASKS_CSV[:-4] + ".html")).read_text(encoding="utf-8")
    for row in (F.ROW_DOCS, F.ROW_FIX1, F.ROW_FIX2):
        assert table.count(F.link(row.split("/")[1][:-3] + ".html")) == 1
    assert "<th>Owner</th>" in table       # the _all CSV wins over the view
    # Two rows are both titled "Fix bug": each links to the page whose properties match it.
    done_row = table.split("<td>Done</td><td>bug</td><td>Cy</td>")[0].rsplit("<tr>", 1)[1]
    assert F.link(F.ROW_FIX2.split("/")[1][:-3]) in done_row
    assert "download" in table


def test_page_shell_has_breadcrumbs_and_relative_assets(built):
    _, site, _ = built
    deeper = html_of(site, F.DEEPER)
    assert 'href="../../_site/site.css"' in deeper
    assert ">Projects</a>" in deeper and ">Deep</a>" in deeper
    assert "<title>Deeper · Notion backup</title>" in deeper


def test_index_page_counts_and_snapshot_date(built):
    _, site, _ = built
    index = (site / "index.html").read_text(encoding="utf-8")
    assert '<time datetime="2026-11-20T03:00:00Z">20 Nov 2026, 03:00 UTC</time>' in index
    assert "<th>Pages</th><td>14</td>" in index
    assert "Caf%C3%A9%20%E2%98%95%20Notes" in index


def test_search_index_holds_words_and_cjk_bigrams(built):
    _, site, _ = built
    pages, postings = read_index(site)
    assert titles_found(site, F.DEEP_WORD) == ["Deeper"]
    assert "東京" in postings
    assert titles_found(site, "owner") == ["Tasks"]         # a database column is searchable too
    assert F.DEEP_WORD in pages[[p[0] for p in pages].index("Deeper")][3]    # its snippet text


def test_unchanged_rebuild_is_a_no_op(built):
    official, site, _ = built
    before = {p: p.stat().st_mtime_ns for p in site.rglob("*.html")}
    manifest = build_site(official, site, snapshot_of(official), workers=1)
    assert manifest["pages_rendered"] == 0 and manifest["pages_skipped"] == 14
    assert before == {p: p.stat().st_mtime_ns for p in site.rglob("*.html")}


def test_attachments_placed_again_leave_no_temporary_files(tmp_path):
    official, site = tmp_path / "official", tmp_path / "site"
    F.build_tricky(official)
    build_site(official, site, workers=1)
    os.utime(official / F.IMAGE, ns=(1, 1))     # a new key for the same file (and the same inode)
    build_site(official, site, workers=1)
    assert [p.name for p in site.rglob("*") if p.name.endswith(".part")] == []
    assert (site / F.IMAGE).read_bytes() == F.PNG


def test_deleted_output_is_rebuilt_even_when_the_export_is_unchanged(built):
    official, site, _ = built
    os.unlink(site / (F.CJK[:-3] + ".html"))
    os.unlink(site / F.IMAGE)
    manifest = build_site(official, site, snapshot_of(official), workers=1)
    assert manifest["pages_rendered"] == 1
    assert (site / (F.CJK[:-3] + ".html")).exists() and (site / F.IMAGE).read_bytes() == F.PNG


def test_changed_page_renders_alone(built):
    official, site, _ = built
    (official / F.DUP1).write_text("# Dup\n\nEdited gammaword.\n", encoding="utf-8")
    manifest = build_site(official, site, snapshot_of(official), workers=1)
    assert manifest["pages_rendered"] == 1
    assert "gammaword" in html_of(site, F.DUP1)
    assert titles_found(site, "gammaword") == ["Dup"]


def test_renamed_title_rerenders_descendants_breadcrumbs(built):
    official, site, _ = built
    (official / F.PROJECTS).write_text("# Big Projects\n\nx\n", encoding="utf-8")
    manifest = build_site(official, site, snapshot_of(official), workers=1)
    assert manifest["pages_rendered"] == 3      # the page, its child and grandchild
    assert ">Big Projects</a>" in html_of(site, F.DEEPER)


def test_new_target_repairs_broken_link_and_removed_page_disappears(built):
    official, site, _ = built
    (official / ("Nowhere " + F.ident("nowhere") + ".md")).write_text("# Nowhere\n", encoding="utf-8")
    os.unlink(official / F.DUP2)
    manifest = build_site(official, site, snapshot_of(official), workers=1)
    assert {b["href"] for b in manifest["broken_links"]} == {"about:blank#deleted", F.link(F.DUP2)}
    assert 'href="Nowhere%20' in html_of(site, F.LINKS)
    assert not (site / (F.DUP2[:-3] + ".html")).exists()
    assert "Second of two" not in [p[0] for p in read_index(site)[0]]
    # The Home page links to the removed page: it is re-rendered with that link marked broken.
    assert 'class="broken-link"' in html_of(site, F.HOME)


def test_missing_export_folder_is_reported(tmp_path):
    from lib.core.errors import BackupError
    with pytest.raises(BackupError, match="no export to render"):
        build_site(tmp_path / "absent", tmp_path / "site")


def test_export_wrapper_folder_and_notion_index_are_handled(tmp_path):
    official = tmp_path / "official"
    F.build_tricky(official / "Export-1234abcd")
    (official / "Export-1234abcd" / "index.html").write_text(
        "<p>Workspace identifier: x</p><p>Workspace name: Acme &amp; Co</p>", encoding="utf-8")
    manifest = build_site(official, tmp_path / "site", workers=1)
    paths = {f["path"] for f in output_files(tmp_path / "site")}
    assert "Export-1234abcd/index.html" not in paths and "index.html" in paths
    assert "Workspace export" in (tmp_path / "site" / "_site/nav.js").read_text(encoding="utf-8")
    assert "<title>Notion backup: Acme &amp; Co</title>" in (tmp_path / "site" / "index.html").read_text()


def test_changes_page_lists_added_removed_changed(tmp_path):
    official, site = tmp_path / "official", tmp_path / "site"
    F.build_tricky(official)
    previous = snapshot_of(official, "2026-11-19T03:00:00Z", "2026-11-19")
    (official / F.CJK).write_text("# 日本語のページ\n\n変更\n", encoding="utf-8")
    os.unlink(official / F.PERCENT)
    (official / ("Fresh " + F.ident("fresh") + ".md")).write_text("# Fresh\n", encoding="utf-8")
    build_site(official, site, snapshot_of(official), previous, workers=1)
    changes = (site / "_site/changes.html").read_text(encoding="utf-8")
    added, rest = changes.split("<h2>Changed", 1)
    changed, removed = rest.split("<h2>Removed", 1)
    assert ">Fresh</a>" in added and ">日本語のページ</a>" in changed and "50% Done" in removed


def test_full_build_clears_foreign_files_and_parallel_matches_serial(tmp_path):
    official = tmp_path / "official"
    F.build_generated(official, pages=300)
    (tmp_path / "a" / "junk").mkdir(parents=True)
    (tmp_path / "a" / "_site").mkdir()          # a site of ours whose build state was lost
    (tmp_path / "a" / "junk" / "old.html").write_text("stale")
    (tmp_path / "b").mkdir()                    # a folder that is not ours keeps its files
    (tmp_path / "b" / "notes.txt").write_text("mine")
    serial = build_site(official, tmp_path / "a", workers=1)
    parallel = build_site(official, tmp_path / "b", workers=2)
    assert not (tmp_path / "a" / "junk").exists()
    assert (tmp_path / "b" / "notes.txt").read_text() == "mine"
    serial_files, parallel_files = list(output_files(tmp_path / "a")), list(output_files(tmp_path / "b"))
    assert serial_files == parallel_files and len(serial_files) > 300
    assert serial["pages"] == 300 and serial["broken_links"] == []


def test_build_killed_mid_render_recovers_to_a_clean_site(tmp_path):
    official, site = tmp_path / "official", tmp_path / "site"
    F.build_generated(official, pages=300)
    build_site(official, site, workers=1)
    for page in sorted(official.rglob("*.md"))[::2]:
        page.write_text(page.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
    (official / "Fresh page.md").write_text("# Fresh\n", encoding="utf-8")
    code = f"from lib.site.build import build_site; build_site({str(official)!r}, {str(site)!r}, workers=1)"
    child = subprocess.Popen([sys.executable, "-c", code], cwd=REPO)
    deadline = time.monotonic() + 30
    while not (site / ".build-dirty.json").exists() and time.monotonic() < deadline:
        time.sleep(0.002)
    child.kill()
    child.wait()
    assert (site / ".build-dirty.json").exists(), "the build finished before it could be killed"
    (site / "_site" / ".nav.js.999.part").write_text("half")    # what a kill mid-write leaves
    os.unlink(official / "Fresh page.md")
    recovered = build_site(official, site, workers=1)
    clean = build_site(official, tmp_path / "clean", workers=1)
    assert list(output_files(site)) == list(output_files(tmp_path / "clean"))
    assert not (site / "Fresh page.html").exists() and not (site / ".build-dirty.json").exists()
    assert [p for p in site.rglob("*.part")] == []


def state_file(site):
    """The first file of the build state of `site`."""
    return site / json.loads((site / SHARDS).read_text())["files"][0]


def test_unreadable_state_means_a_full_render_with_a_whole_search_index(built):
    official, site, _ = built
    state_file(site).write_bytes(b"not a database")
    assert build_site(official, site, snapshot_of(official), workers=1)["pages_rendered"] == 14
    assert titles_found(site, F.DEEP_WORD) == ["Deeper"]
    data = state_file(site).read_bytes()
    state_file(site).write_bytes(data[:len(data) // 2])     # cut short, as by a full disk
    (official / F.DUP1).write_text("# Dup\n\nchanged\n", encoding="utf-8")
    assert build_site(official, site, snapshot_of(official), workers=1)["pages_rendered"] == 14
    assert titles_found(site, F.DEEP_WORD) == ["Deeper"]


def test_a_site_built_by_the_json_state_of_earlier_versions_renders_again_and_drops_it(built):
    official, site, _ = built
    os.unlink(site / SHARDS)
    for legacy in (".build-state.json", ".build-tokens.json"):
        (site / legacy).write_text("{}")
    assert build_site(official, site, snapshot_of(official), workers=1)["pages_rendered"] == 14
    assert not (site / ".build-state.json").exists() and not (site / ".build-tokens.json").exists()


def test_a_build_killed_after_its_marker_is_never_taken_for_a_no_op(built):
    official, site, _ = built
    # A killed build whose plan named no new output still leaves its marker: the next build is a real one.
    (site / ".build-dirty.json").write_text('{"outputs": {}}')
    build_site(official, site, snapshot_of(official), workers=1)
    assert not (site / ".build-dirty.json").exists()


def test_renderer_code_change_rerenders_everything(built):
    official, site, _ = built
    with sqlite3.connect(state_file(site)) as db:
        db.execute("UPDATE meta SET value = '\"older\"' WHERE key IN ('version', 'input_digest')")
    db.close()
    assert build_site(official, site, snapshot_of(official), workers=1)["pages_rendered"] == 14


def test_product_fake_export_renders_without_broken_links(tmp_path):
    # The product's own fake Notion export (tests/fakes/exports.py, another engineer's module).
    exports = pytest.importorskip("tests.fakes.exports")
    official = write_workspace(tmp_path / "official", exports.FakeWorkspace(seed=3, pages=200))
    manifest = build_site(official, tmp_path / "site", workers=2)
    assert manifest["broken_links"] == [] and manifest["missing_attachments"] == []
    assert manifest["databases"] > 0
    for item in output_files(tmp_path / "site"):
        if item["path"].endswith(".html") and "/" not in item["path"]:
            assert (tmp_path / "site" / item["path"]).stat().st_size > 0


def test_links_to_files_renamed_at_unpack_still_resolve(tmp_path):
    # A title with ":" and "?" is renamed at unpack (Windows cannot store it); the pages keep Notion's names.
    from lib.archive.shards import expand_export
    from lib.archive.extract import extract_zip
    from tests.lib.archive.hostile_zips import notion_wrapper
    ident, folder = "0123456789abcdef0123456789abcdef", "Q: why? 0123456789abcdef0123456789abcdef"
    pages = {
        "Home 11111111111111111111111111111111.md":
            b"# Home\n\n[why](Q%3A%20why%3F%20" + ident.encode() + b".md)\n\n"
            b"![chart](Q%3A%20why%3F%20" + ident.encode() + b"/chart%3A1.png)\n",
        folder + ".md": b"# Q: why?\n\n[file](Q%3A%20why%3F%20" + ident.encode() + b"/notes%3F.txt)\n",
        folder + "/chart:1.png": b"\x89PNG\r\n\x1a\n" + bytes(64),
        folder + "/notes?.txt": b"text",
    }
    (tmp_path / "export.zip").write_bytes(notion_wrapper({1: pages}))
    extract_zip(tmp_path / "export.zip", tmp_path / "unpacked")
    summary = expand_export(tmp_path / "unpacked", tmp_path / "official")
    assert len(summary["renames"]) == 3
    snapshot = dict(snapshot_of(tmp_path / "official"), renames=summary["renames"])
    manifest = build_site(tmp_path / "official", tmp_path / "site", snapshot, workers=1)
    assert manifest["broken_links"] == [] and manifest["missing_attachments"] == []
    home = (tmp_path / "site" / "Home 11111111111111111111111111111111.html").read_text(encoding="utf-8")
    assert 'src="Q_%20why_%200123456789abcdef0123456789abcdef/chart_1.png"' in home
    without = build_site(tmp_path / "official", tmp_path / "site2", snapshot_of(tmp_path / "official"), workers=1)
    assert len(without["missing_attachments"]) + len(without["broken_links"]) == 2  # what the list repairs
