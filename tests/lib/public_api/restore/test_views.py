"""Database views: captured with their name, type, filter, sorts and visible properties, and restored."""
import json
import shutil

import pytest

from lib.public_api.capture import capture_workspace
from lib.public_api.restore.restorer import DirSource, report_lines, restore_snapshot
from tests.fakes.notion_public import FakeNotionPublic, api_settings
from tests.fakes.public_compare import load, restored_root


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    where = tmp_path_factory.mktemp("views") / "one"
    with FakeNotionPublic() as fake:
        capture_workspace(api_settings(fake), where)
        ids = fake.ids
    return where, ids


def views_of(fake, database_id):
    return [v for v in fake.store.views.values() if v["parent"]["database_id"] == database_id]


def test_capture_keeps_every_view_of_a_database(snapshot):
    where, ids = snapshot
    doc = load(where, f"databases/{ids['projects_db']}.json")
    board = next(v for v in doc["views"] if v["name"] == "Active by status")
    status = doc["data_sources"][0]["data_source"]["properties"]["Status"]["id"]
    assert [v["name"] for v in doc["views"]] == ["Default view", "Active by status"]
    assert board["type"] == "board" and board["filter"] == {"property": status, "select": {"equals": "Active"}}
    assert board["sorts"] == [{"property": "Name", "direction": "ascending"}]
    assert {"property_id": status, "visible": True} in board["configuration"]["properties"]


def test_restore_recreates_the_views_with_the_new_properties(snapshot, tmp_path):
    where, _ = snapshot
    shutil.copytree(where, tmp_path / "one")
    with FakeNotionPublic() as fake:
        report = restore_snapshot(api_settings(fake), DirSource(tmp_path / "one"), fake.empty_page_id,
                                  tmp_path / "journal")
        capture_workspace(api_settings(fake), tmp_path / "two")
        home = restored_root(tmp_path / "two", fake.empty_page_id, "Home")
        index = load(tmp_path / "two", "index.json")
        projects = next(i for i, e in index["objects"].items() if e["title"] == "Projects" and e["parent"]["id"] == home)
        views = views_of(fake, projects)
        schema = fake.store.objects[views[0]["data_source_id"]]["properties"]
    assert [v["name"] for v in views] == ["Default view", "Active by status"], "Notion's own default view is gone"
    board = views[1]
    assert board["type"] == "board" and board["filter"] == {"property": "Status", "select": {"equals": "Active"}}
    assert board["configuration"]["group_by"] == {"property_id": schema["Status"]["id"]}
    assert {"property_id": schema["Budget"]["id"], "visible": False} in board["configuration"]["properties"]
    assert report["created"]["views"] == 3 and not [loss for loss in report["losses"] if "view" in loss["detail"]]
    assert "3 views" in report_lines(report)[1]


def test_a_capture_without_views_says_so_and_a_dry_run_plans_them(snapshot, tmp_path):
    where, ids = snapshot
    shutil.copytree(where, tmp_path / "one")
    plan = restore_snapshot(api_settings_offline(), DirSource(tmp_path / "one"), "a" * 32, tmp_path / "j", dry_run=True)
    assert [s["name"] for s in plan["plan"] if s["action"] == "create_view"].count("Active by status") == 1
    path = tmp_path / "one" / "databases" / f"{ids['tasks_db']}.json"
    doc = json.loads(path.read_text())
    doc.pop("views")
    path.write_text(json.dumps(doc))
    plan = restore_snapshot(api_settings_offline(), DirSource(tmp_path / "one"), "a" * 32, tmp_path / "k", dry_run=True)
    assert any(loss["kind"] == "database" and "views were not captured" in loss["detail"] for loss in plan["losses"])


def api_settings_offline():
    from tests.harness import config_for
    return config_for({"NOTION_API_KEY": "ntn_offline_planning_only_0123456789"})
