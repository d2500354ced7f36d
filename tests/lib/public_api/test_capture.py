"""Tests for the public-API capture: tree walk, caps, files, comments, incremental runs, secrets."""
import json
import logging
from pathlib import Path

import pytest

from lib.public_api.capture import capture_workspace
from tests.fakes.notion_public import FakeNotionPublic, api_settings
from tests.fakes.public_workspace import PNG


@pytest.fixture
def fake():
    with FakeNotionPublic() as server:
        yield server


def doc(json_dir, object_id, kind="pages"):
    return json.loads((Path(json_dir) / kind / f"{object_id}.json").read_text())


def walk(blocks):
    for block in blocks:
        yield block
        yield from walk(block.get("children") or [])


def test_capture_walks_past_search_and_keeps_hierarchy(fake, tmp_path):
    summary = capture_workspace(api_settings(fake), tmp_path / "json")
    index = json.loads((tmp_path / "json" / "index.json").read_text())
    objects = index["objects"]
    ids = fake.ids
    assert ids["deeper"] in objects, "a page search omits must be found through its parent's child_page block"
    assert objects[ids["deeper"]]["parent"] == {"type": "page", "id": ids["deep"]}
    assert objects[ids["in_toggle"]]["parent"] == {"type": "page", "id": ids["home"], "block": ids["toggle"]}
    assert objects[ids["task_rows"][0]]["parent"]["id"] == ids["tasks_db"]
    assert set(index["roots"]) == {ids["home"], ids["orphan"], ids["restore_target"]}
    projects = doc(tmp_path / "json", ids["projects_db"], "databases")
    assert projects["data_sources"][0]["rows"] == ids["project_rows"]
    assert "Tasks" in projects["data_sources"][0]["data_source"]["properties"]
    assert summary["objects"] == len(objects) and summary["pages_fetched"] == len(objects) - 2


def test_page_document_holds_the_full_block_tree(fake, tmp_path):
    capture_workspace(api_settings(fake), tmp_path / "json")
    home = doc(tmp_path / "json", fake.ids["home"])
    texts = [t["plain_text"] for b in walk(home["blocks"]) for t in b.get(b["type"], {}).get("rich_text", [])]
    assert {"Level 4", "Under the heading", "Inside the toggle", "Synced content"} <= set(texts)
    notes = doc(tmp_path / "json", fake.ids["notes"])
    reference = next(b for b in notes["blocks"] if b["type"] == "synced_block")
    assert reference["synced_block"]["synced_from"]["block_id"] == fake.ids["synced_original"]
    assert [c["type"] for c in reference["children"]] == ["paragraph", "to_do"]
    assert any(b["type"] == "unsupported" for b in notes["blocks"])


def test_relation_past_the_25_cap_is_complete(fake, tmp_path):
    capture_workspace(api_settings(fake), tmp_path / "json")
    apollo = doc(tmp_path / "json", fake.ids["project_rows"][0])
    relation = apollo["page"]["properties"]["Tasks"]
    assert [r["id"] for r in relation["relation"]] == fake.ids["task_rows"][:28]
    assert relation["has_more"] is False


def test_two_way_relation_is_captured_from_both_sides(fake, tmp_path):
    capture_workspace(api_settings(fake), tmp_path / "json")
    projects = doc(tmp_path / "json", fake.ids["projects_db"], "databases")["data_sources"][0]["data_source"]
    tasks = doc(tmp_path / "json", fake.ids["tasks_db"], "databases")["data_sources"][0]["data_source"]
    forward, back = projects["properties"]["Related tasks"], tasks["properties"]["Related projects"]
    assert forward["relation"]["dual_property"] == {"synced_property_id": back["id"],
                                                    "synced_property_name": "Related projects"}
    assert back["relation"]["dual_property"]["synced_property_name"] == "Related tasks"
    first_task = doc(tmp_path / "json", fake.ids["task_rows"][0])
    assert first_task["page"]["properties"]["Related projects"]["relation"] == [{"id": fake.ids["project_rows"][1]}]


def test_hosted_files_are_stored_once_and_links_lose_their_signature(fake, tmp_path):
    capture_workspace(api_settings(fake), tmp_path / "json")
    home = doc(tmp_path / "json", fake.ids["home"])
    image = next(b for b in home["blocks"] if b["type"] == "image" and b["image"]["type"] == "file")
    stored = image["image"]["backup_file"]
    assert (tmp_path / "json" / stored["path"]).read_bytes() == PNG
    assert stored["path"].endswith(".png") and stored["name"] == "diagram.png"
    every_json = "".join(p.read_text() for p in (tmp_path / "json").rglob("*.json"))
    assert "signature=" not in every_json and "expires=" not in every_json
    assert len(list((tmp_path / "json" / "files").iterdir())) == 2


def test_comments_on_pages_and_blocks_are_captured(fake, tmp_path):
    capture_workspace(api_settings(fake), tmp_path / "json")
    home = doc(tmp_path / "json", fake.ids["home"])
    assert [c["rich_text"][0]["plain_text"] for c in home["comments"]] == ["A page comment"]
    commented = [b for b in walk(home["blocks"]) if b.get("comments")]
    assert [c["rich_text"][0]["plain_text"] for b in commented for c in b["comments"]] == ["A comment on a block"]


def test_incremental_capture_with_one_edit_is_cheap(tmp_path):
    with FakeNotionPublic(extra_pages=20) as fake:
        incremental_run(fake, tmp_path)


def incremental_run(fake, tmp_path):
    capture_workspace(api_settings(fake), tmp_path / "json")
    first = fake.count()
    from tests.fakes.public_workspace import block
    from tests.fakes.public_writes import insert_blocks
    notes = fake.ids["notes"]
    insert_blocks(fake.store, notes, {"type": "page_id", "page_id": notes}, [block("paragraph", "Edited today")])
    fake.reset_requests()
    summary = capture_workspace(api_settings(fake), tmp_path / "json")
    assert summary["pages_fetched"] == 1
    assert fake.count() < first * 0.10, (fake.count(), first)
    texts = [t["plain_text"] for b in doc(tmp_path / "json", notes)["blocks"] for t in b.get("paragraph", {}).get("rich_text", [])]
    assert "Edited today" in texts


def test_deleted_pages_and_their_files_are_dropped(fake, tmp_path):
    capture_workspace(api_settings(fake), tmp_path / "json")
    fake.store.objects[fake.ids["deep"]]["in_trash"] = True
    summary = capture_workspace(api_settings(fake), tmp_path / "json")
    assert summary["dropped"] == 2
    assert not (tmp_path / "json" / "pages" / f"{fake.ids['deep']}.json").exists()
    assert not (tmp_path / "json" / "pages" / f"{fake.ids['deeper']}.json").exists()
    index = json.loads((tmp_path / "json" / "index.json").read_text())
    assert fake.ids["deeper"] not in index["objects"]


def test_capture_survives_a_429_storm_and_short_pages(fake, tmp_path):
    fake.faults.storm, fake.faults.short_pages = 6, 3
    summary = capture_workspace(api_settings(fake, NOTION_API_MAX_RETRIES=8), tmp_path / "json")
    assert summary["rate_limited"] == 6
    baseline = json.loads((tmp_path / "json" / "index.json").read_text())["objects"]
    assert fake.ids["deeper"] in baseline and len(baseline) == 42


def test_api_key_never_lands_in_files_or_logs(fake, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    capture_workspace(api_settings(fake), tmp_path / "json", tmp_path / "md")
    assert fake.token not in caplog.text
    assert "signature=" not in caplog.text.replace("signature=***", "")
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert fake.token.encode() not in path.read_bytes(), path


@pytest.mark.parametrize("source", ["endpoint", "blocks"])
def test_markdown_and_csv_follow_notions_export_layout(fake, tmp_path, source):
    # Page bodies come from Notion's Markdown endpoint, or from the block converter where it is unavailable:
    # either way the layout, links and attachments are the export's.
    fake.faults.markdown_unavailable = source == "blocks"
    summary = capture_workspace(api_settings(fake), tmp_path / "json", tmp_path / "md")
    md = tmp_path / "md"
    hexid = lambda key: fake.ids[key].replace("-", "")  # noqa: E731
    home = md / f"Home {hexid('home')}.md"
    text = home.read_text()
    assert text.startswith("# Home\n")
    assert f"[Notes](Home/Notes%20{hexid('notes')}.md)" in text
    assert "![A diagram](Home/diagram.png)" in text
    assert (md / "Home" / "diagram.png").read_bytes() == PNG
    assert "    - Level 2" in text and "```python\nprint('hi')\n```" in text
    deeper = md / "Home" / "Notes" / "Deep" / f"Deeper {hexid('deeper')}.md"
    assert deeper.read_text() == "# Deeper\n\nBottom of the tree\n"
    notes = (md / "Home" / f"Notes {hexid('notes')}.md").read_text()
    assert f"See [Deep](Notes/Deep%20{hexid('deep')}.md) for details." in notes
    assert f"[Home](../Home%20{hexid('home')}.md)" in notes
    csv_path = md / "Home" / f"Projects {hexid('projects_db')}.csv"
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfName,") and raw == csv_path.with_name(csv_path.stem + "_all.csv").read_bytes()
    lines = raw.decode("utf-8-sig").splitlines()
    assert len(lines) == 4 and lines[1].startswith("Apollo,spec.pdf,1000,No,\"January 15, 2026\",Ada Lovelace")
    row = next((md / "Home" / "Projects").glob("Apollo *.md")).read_text()
    assert row.startswith("# Apollo\n\n") and "\nStatus: Active\n" in row and row.count("(../Tasks/Task%20") == 28
    assert {key: summary["markdown"][key] for key in ("md", "csv", "attachments", f"from_{source}")} == \
        {"md": 40, "csv": 4, "attachments": 2, f"from_{source}": 40}


def test_expired_file_link_is_refreshed_by_rereading_its_block(fake, tmp_path):
    fake.faults.expired_links = 1
    capture_workspace(api_settings(fake), tmp_path / "json")
    refused = [r for r in fake.requests if r["path"].startswith("/files/") and r["status"] == 403]
    assert len(refused) == 1
    home = doc(tmp_path / "json", fake.ids["home"])
    image = next(b for b in home["blocks"] if b["type"] == "image" and b["image"]["type"] == "file")
    assert (tmp_path / "json" / image["image"]["backup_file"]["path"]).read_bytes() == PNG
    assert any(r["path"] == f"/v1/blocks/{image['id']}" for r in fake.requests)


def test_old_notion_version_is_refused_with_the_setting_named(fake, tmp_path):
    from lib.core.errors import ConfigError
    with pytest.raises(ConfigError, match="NOTION_API_VERSION.*2025-09-03 or later"):
        api_settings(fake, NOTION_API_VERSION="2022-06-28")


def test_limiter_below_the_service_rate_keeps_429s_rare(fake, tmp_path):
    fake.faults.rate_limit = (100, 3)
    summary = capture_workspace(api_settings(fake, NOTION_API_REQUESTS_PER_SECOND=70), tmp_path / "json")
    assert summary["objects"] == 42 and summary["rate_limited"] <= 1


def test_page_gone_between_search_and_read_is_recorded_and_skipped(fake, tmp_path):
    fake.faults.vanished = {fake.ids["deep"]}
    summary = capture_workspace(api_settings(fake), tmp_path / "json")
    index = json.loads((tmp_path / "json" / "index.json").read_text())
    assert fake.ids["deep"] not in index["objects"] and fake.ids["notes"] in index["objects"]
    assert {"path": f"blocks/{fake.ids['deep']}/children", "code": "object_not_found"} in index["skipped"]
    assert summary["skipped"] >= 1


def test_markdown_feeds_the_site_builder_without_broken_links(fake, tmp_path):
    from lib.site.build import build_site
    capture_workspace(api_settings(fake), tmp_path / "json", tmp_path / "md")
    manifest = build_site(tmp_path / "md", tmp_path / "site", workers=1)
    assert (manifest["pages"], manifest["databases"]) == (40, 2)
    assert manifest["broken_links"] == [] and manifest["missing_attachments"] == []


def test_file_names_from_long_titles_fit_255_bytes():
    from lib.public_api.markdown import safe_name
    for title in ("😀" * 200, "会" * 300, "a" * 400):
        assert len(safe_name(title).encode()) <= 200 and len(safe_name(title, 120).encode()) <= 200
    assert safe_name("Café: menu?") == "Café  menu"
