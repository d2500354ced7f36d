"""Tests for the restore: round trip through the stand-in, resume without duplicates, dry run, git source."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lib.public_api.client import NotionApiError
from lib.public_api.capture import capture_workspace
from lib.public_api.restore.restorer import DirSource, GitTreeSource, report_lines, restore_snapshot
from tests.fakes.notion_public import FakeNotionPublic, api_env, api_settings
from tests.fakes.public_compare import expected_after_restore, load, restored_root, tree

ROOT = Path(__file__).resolve().parents[4]


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    """One capture of the seeded workspace; every test restores it into a fresh, identical stand-in."""
    where = tmp_path_factory.mktemp("snapshot") / "one"
    with FakeNotionPublic(big_page=True) as fake:
        capture_workspace(api_settings(fake), where)
    return where


@pytest.fixture
def captured(tmp_path, snapshot):
    shutil.copytree(snapshot, tmp_path / "one")
    with FakeNotionPublic(big_page=True) as fake:
        yield fake, tmp_path


def test_round_trip_restores_content_hierarchy_links_and_relations(captured):
    fake, tmp = captured
    report = restore_snapshot(api_settings(fake), DirSource(tmp / "one"), fake.empty_page_id, tmp / "journal")
    capture_workspace(api_settings(fake, NOTION_CAPTURE_COMMENTS="pages"), tmp / "two")
    home = restored_root(tmp / "two", fake.empty_page_id, "Home")
    original = expected_after_restore(tree(tmp / "one", fake.ids["home"]))
    assert tree(tmp / "two", home) == original
    restored = load(tmp / "two", "index.json")["objects"]
    new_notes = restored_root(tmp / "two", home, "Notes")
    notes_doc = load(tmp / "two", f"pages/{new_notes}.json")
    mention = notes_doc["blocks"][1]["paragraph"]["rich_text"][1]["mention"]["page"]["id"]
    assert restored[mention]["title"] == "Deep" and restored[mention]["parent"]["id"] == new_notes
    link = next(b for b in notes_doc["blocks"] if b["type"] == "link_to_page")["link_to_page"]["page_id"]
    assert link == home
    synced = next(b for b in notes_doc["blocks"] if b["type"] == "synced_block")["synced_block"]["synced_from"]
    assert load(tmp / "two", f"pages/{home}.json")["blocks"][2]["id"] == synced["block_id"]
    kinds = {(loss["kind"], loss["detail"].split(" ")[0]) for loss in report["losses"]}
    assert ("block", "block") in kinds and ("layout", "'Page") in kinds and ("comment", "comments") in kinds
    assert report["created"]["uploads"] == 2 and report["resumed"] is False
    assert fake.token not in json.dumps(report) and fake.token not in (tmp / "journal").read_text()


def test_restore_writes_stay_within_api_limits(captured):
    fake, tmp = captured
    restore_snapshot(api_settings(fake), DirSource(tmp / "one"), fake.empty_page_id, tmp / "journal")
    appends = [r for r in fake.requests if r["method"] == "PATCH" and r["path"].endswith("/children")]
    assert all(r["status"] == 200 for r in fake.requests), "the stand-in rejected a write"
    assert len(appends) < 60


def test_interrupted_restore_resumes_without_duplicates(captured):
    fake, tmp = captured
    settings = api_settings(fake, NOTION_API_MAX_RETRIES=1)
    for stop_after in (3, 17, 30, 20):
        fake.faults.down_after_writes, fake.faults.apply_failing_write = fake.writes + stop_after, True
        with pytest.raises(NotionApiError):
            restore_snapshot(settings, DirSource(tmp / "one"), fake.empty_page_id, tmp / "journal")
    fake.faults.down_after_writes = None
    report = restore_snapshot(settings, DirSource(tmp / "one"), fake.empty_page_id, tmp / "journal")
    assert report["resumed"] is True
    capture_workspace(api_settings(fake, NOTION_CAPTURE_COMMENTS="pages"), tmp / "two")
    home = restored_root(tmp / "two", fake.empty_page_id, "Home")
    assert tree(tmp / "two", home) == expected_after_restore(tree(tmp / "one", fake.ids["home"]))


def test_killed_restore_process_resumes_without_duplicates(captured):
    fake, tmp = captured
    args = json.dumps([api_env(fake), str(tmp / "one"), fake.empty_page_id, str(tmp / "journal")])
    code = ("import json,sys; from lib.public_api.restore import restore_snapshot, DirSource; "
            "from tests.harness import config_for; "
            "env,src,root,j=json.loads(sys.argv[1]); restore_snapshot(config_for(env), DirSource(src), root, j)")
    fake.faults.delay = 0.01
    proc = subprocess.Popen([sys.executable, "-c", code, args], cwd=ROOT)
    deadline = time.monotonic() + 30
    while fake.writes < 25 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL, "the restore finished before it could be interrupted"
    fake.faults.delay = 0
    assert 0 < fake.writes
    restore_snapshot(api_settings(fake), DirSource(tmp / "one"), fake.empty_page_id, tmp / "journal")
    capture_workspace(api_settings(fake, NOTION_CAPTURE_COMMENTS="pages"), tmp / "two")
    home = restored_root(tmp / "two", fake.empty_page_id, "Home")
    assert tree(tmp / "two", home) == expected_after_restore(tree(tmp / "one", fake.ids["home"]))


def test_dry_run_plans_without_touching_notion(captured):
    fake, tmp = captured
    fake.reset_requests()
    url = f"https://www.notion.so/Restore-here-{fake.empty_page_id.replace('-', '')}"
    report = restore_snapshot(api_settings(fake), DirSource(tmp / "one"), url, tmp / "journal", dry_run=True)
    assert report["root"] == fake.empty_page_id
    assert fake.count() == 0 and not (tmp / "journal").exists()
    titles = [step["title"] for step in report["plan"] if step["action"] == "create_page"]
    assert titles[:3] == ["Home", "Restore here", "Shared child"] and "Deeper" in titles
    assert report["created"]["rows"] == 33 and report["created"]["databases"] == 2
    lines = report_lines(report)
    assert lines[1].startswith("would create: 8 pages, 2 databases, 33 rows")
    assert any(line.startswith("  plan: create_page title=Home") for line in lines)
    assert any(line.startswith("  [block] Notes (") and "'unsupported'" in line for line in lines)


def test_git_commit_source_reads_a_published_snapshot_without_checkout(captured):
    from lib.git.commit_snapshot import snapshot_directory
    fake, tmp = captured
    backups = tmp / "backups"
    backups.mkdir()
    os.rename(tmp / "one", backups / "json")
    first = snapshot_directory(tmp / "repo.git", backups, "notion-backups", "snapshot one")
    shutil.rmtree(backups / "json")
    (backups / "official").mkdir()
    (backups / "official" / "x.md").write_text("# x\n")
    snapshot_directory(tmp / "repo.git", backups, "notion-backups", "snapshot two")
    source = GitTreeSource(tmp / "repo.git", "notion-backups~1")
    assert source.commit.id.decode() == first["commit"]
    assert json.loads(source.read("index.json"))["objects"]
    assert f"pages/{fake.ids['home']}.json" in source.list("pages")
    assert any(p.startswith("files/") for p in source.list("files"))
    report = restore_snapshot(api_settings(fake), source, fake.empty_page_id, tmp / "journal")
    assert report["created"]["pages"] == 8 and report["created"]["uploads"] == 2
    from lib.core.errors import ConfigError
    with pytest.raises(ConfigError, match="no public-API capture"):
        GitTreeSource(tmp / "repo.git", "notion-backups")


def test_unshared_restore_root_is_a_config_error(captured):
    fake, tmp = captured
    from lib.core.errors import ConfigError
    private = fake.store.parent_of(fake.ids["orphan"])
    with pytest.raises(ConfigError, match="not visible to the integration"):
        restore_snapshot(api_settings(fake), DirSource(tmp / "one"), private, tmp / "journal")
    with pytest.raises(ConfigError, match="not a Notion page id"):
        restore_snapshot(api_settings(fake), DirSource(tmp / "one"), "nonsense", tmp / "journal")


@pytest.mark.parametrize("children, message", [
    ([{"paragraph": {"rich_text": []}}] * 101, "length should be ≤ `100`"),
    ([{"toggle": {"rich_text": [], "children": [{"toggle": {"rich_text": [], "children": [
        {"paragraph": {"rich_text": []}}]}}]}}], "at most two levels"),
    ([{"id": "x", "paragraph": {"rich_text": []}}], "children[0].id should be not present"),
    ([{"paragraph": {"rich_text": [], "icon": None}}], "paragraph.icon should be an object or undefined"),
    ([{"paragraph": {"rich_text": [{"text": {"content": "x"}, "plain_text": "x"}]}}], "plain_text should be not present"),
])
def test_stand_in_rejects_writes_the_restore_must_avoid(children, message):
    from lib.public_api.client import NotionApi
    with FakeNotionPublic(tasks=1) as fake:
        api = NotionApi(api_settings(fake))
        with pytest.raises(NotionApiError, match="validation_error") as caught:
            api.request("PATCH", f"blocks/{fake.empty_page_id}/children", body={"children": children})
        assert message in str(caught.value)


def test_refused_upload_leaves_a_note_and_a_reported_loss(captured):
    fake, tmp = captured
    fake.faults.uploads_refused = True
    report = restore_snapshot(api_settings(fake), DirSource(tmp / "one"), fake.empty_page_id, tmp / "journal")
    media = [loss for loss in report["losses"] if loss["kind"] == "media"]
    assert len(media) == 2 and all("refused by Notion" in loss["detail"] for loss in media)
    capture_workspace(api_settings(fake, NOTION_CAPTURE_COMMENTS="pages"), tmp / "two")
    home = restored_root(tmp / "two", fake.empty_page_id, "Home")
    texts = [b["paragraph"]["rich_text"][0]["plain_text"] for b in load(tmp / "two", f"pages/{home}.json")["blocks"]
             if b["type"] == "paragraph" and b["paragraph"]["rich_text"]]
    assert any(t.startswith("[image not restored: diagram.png is in the backup as files/") for t in texts)
    assert report["created"]["rows"] == 33


def test_block_notion_refuses_is_isolated_and_reported(captured):
    fake, tmp = captured
    fake.faults.refuse_embeds = True
    report = restore_snapshot(api_settings(fake), DirSource(tmp / "one"), fake.empty_page_id, tmp / "journal")
    refused = [loss for loss in report["losses"] if loss["detail"].startswith("embed refused by Notion")]
    assert len(refused) == 1 and "supported embed provider" in refused[0]["detail"]
    capture_workspace(api_settings(fake, NOTION_CAPTURE_COMMENTS="pages"), tmp / "two")
    home = restored_root(tmp / "two", fake.empty_page_id, "Home")
    restored = tree(tmp / "two", home)
    expected = expected_after_restore(tree(tmp / "one", fake.ids["home"]))
    embed = next(i for i, b in enumerate(expected["blocks"]) if b["type"] == "embed")
    expected["blocks"][embed] = {"type": "paragraph", "text": "[embed not restored: Notion refused it; see the restore report]"}
    assert restored == expected


def test_row_with_people_from_another_workspace_keeps_its_title(captured):
    fake, tmp = captured
    ada = next(u for u, user in fake.store.users.items() if user["name"] == "Ada Lovelace")
    del fake.store.users[ada]
    report = restore_snapshot(api_settings(fake), DirSource(tmp / "one"), fake.empty_page_id, tmp / "journal")
    refused = [loss for loss in report["losses"] if loss["detail"].startswith("properties other than the title")]
    assert len(refused) == 2 and "users of this workspace" in refused[0]["detail"]
    assert report["created"]["rows"] == 33


def test_link_to_a_page_outside_the_backup_that_notion_hides_becomes_a_note(captured):
    fake, tmp = captured
    notes_path = tmp / "one" / "pages" / f"{fake.ids['notes']}.json"
    notes = json.loads(notes_path.read_text())
    link = next(b for b in notes["blocks"] if b["type"] == "link_to_page")
    link["link_to_page"]["page_id"] = "0badc0de-0000-4000-8000-000000000000"
    notes_path.write_text(json.dumps(notes))
    report = restore_snapshot(api_settings(fake), DirSource(tmp / "one"), fake.empty_page_id, tmp / "journal")
    assert [loss["where"].split(" (")[0] for loss in report["losses"]
            if loss["detail"].startswith("link_to_page refused by Notion")] == ["Notes"]
    assert report["created"]["pages"] == 8


def test_stand_in_two_way_relation_gains_a_synced_side_and_mirrors_values():
    from lib.public_api.client import NotionApi
    with FakeNotionPublic(tasks=3) as fake:
        api = NotionApi(api_settings(fake))
        projects, tasks = fake.ids["projects_ds"], fake.ids["tasks_ds"]
        answer = api.request("PATCH", f"data_sources/{tasks}", body={"properties": {"Blocks": {"relation": {
            "data_source_id": projects, "type": "dual_property", "dual_property": {}}}}})
        other = api.request("GET", f"data_sources/{projects}")["properties"]
        synced = other["Related to Tasks (Blocks)"]
        assert answer["properties"]["Blocks"]["relation"]["dual_property"] == {
            "synced_property_id": synced["id"], "synced_property_name": "Related to Tasks (Blocks)"}
        assert synced["relation"]["data_source_id"] == tasks
        assert synced["relation"]["dual_property"] == {"synced_property_id": answer["properties"]["Blocks"]["id"],
                                                       "synced_property_name": "Blocks"}
        task, (apollo, gemini, _) = fake.ids["task_rows"][0], fake.ids["project_rows"]
        api.request("PATCH", f"pages/{task}", body={"properties": {"Blocks": {"relation": [{"id": apollo}, {"id": gemini}]}}})
        assert api.request("GET", f"pages/{apollo}")["properties"]["Related to Tasks (Blocks)"]["relation"] == [{"id": task}]
        api.request("PATCH", f"pages/{task}", body={"properties": {"Blocks": {"relation": [{"id": gemini}]}}})
        rows = {r["id"]: r for r in api.request("POST", f"data_sources/{projects}/query")["results"]}
        assert rows[apollo]["properties"]["Related to Tasks (Blocks)"]["relation"] == []
        assert rows[gemini]["properties"]["Related to Tasks (Blocks)"]["relation"] == [{"id": task}]
        api.request("PATCH", f"data_sources/{projects}", body={"properties": {synced["id"]: {"name": "Blocked by"}}})
        blocks = api.request("GET", f"data_sources/{tasks}")["properties"]["Blocks"]
        assert blocks["relation"]["dual_property"]["synced_property_name"] == "Blocked by"
        assert api.request("GET", f"pages/{gemini}")["properties"]["Blocked by"]["relation"] == [{"id": task}]


def _relation_titles(json_dir, row, name):
    index = load(json_dir, "index.json")["objects"]
    refs = load(json_dir, index[row]["path"])["page"]["properties"][name]["relation"]
    return sorted((index[r["id"]]["title"], r["id"]) for r in refs)


@pytest.mark.parametrize("notion_ignores_the_name", [False, True])
def test_two_way_relation_is_restored_once_with_values_on_both_sides(captured, notion_ignores_the_name):
    fake, tmp = captured
    fake.faults.ignore_synced_property_name = notion_ignores_the_name
    restore_snapshot(api_settings(fake), DirSource(tmp / "one"), fake.empty_page_id, tmp / "journal")
    capture_workspace(api_settings(fake), tmp / "two")
    two = tmp / "two"
    home = restored_root(two, fake.empty_page_id, "Home")
    index = load(two, "index.json")["objects"]
    sources = {}
    for title in ("Projects", "Tasks"):
        db = restored_root(two, home, title)
        source = load(two, index[db]["path"])["data_sources"][0]
        sources[title] = (source["data_source"], {index[r]["title"]: r for r in source["rows"]})
    (projects, project_rows), (tasks, task_rows) = sources["Projects"], sources["Tasks"]
    forward, back = projects["properties"]["Related tasks"], tasks["properties"]["Related projects"]
    relations = sorted(n for n, p in tasks["properties"].items() if p["type"] == "relation")
    assert relations == ["Project", "Related projects"], "the synced side must exist once, under its own name"
    assert forward["relation"]["data_source_id"] == tasks["id"] and back["relation"]["data_source_id"] == projects["id"]
    assert forward["relation"]["dual_property"] == {"synced_property_id": back["id"],
                                                    "synced_property_name": "Related projects"}
    assert back["relation"]["dual_property"] == {"synced_property_id": forward["id"],
                                                 "synced_property_name": "Related tasks"}
    assert _relation_titles(two, project_rows["Gemini"], "Related tasks") == sorted(
        [("Task 01", task_rows["Task 01"]), ("Task 02", task_rows["Task 02"])])
    assert _relation_titles(two, project_rows["Mercury"], "Related tasks") == [("Task 30", task_rows["Task 30"])]
    assert _relation_titles(two, task_rows["Task 01"], "Related projects") == [("Gemini", project_rows["Gemini"])]
    assert _relation_titles(two, task_rows["Task 30"], "Related projects") == [("Mercury", project_rows["Mercury"])]
    assert _relation_titles(two, task_rows["Task 03"], "Related projects") == []
    assert tree(two, home) == expected_after_restore(tree(tmp / "one", fake.ids["home"]))
