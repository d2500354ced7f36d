"""Notion-Version 2026-12-01 gives the same capture, Markdown, CSVs and restore as 2025-09-03."""
import json
from pathlib import Path

import pytest

from lib.public_api.capture import capture_workspace
from lib.public_api.restore.restorer import DirSource, restore_snapshot
from tests.fakes.notion_public import FakeNotionPublic, api_settings
from tests.fakes.public_compare import load, norm_props, restored_root, tree

OLDEST, DEFAULT = "2025-09-03", "2026-12-01"


def files_of(root):
    """Every file below `root` by relative path, with its bytes."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(Path(root).rglob("*")) if p.is_file()}


def rows_of(json_dir):
    """Every database row's properties, comparable (people by id, relations by title)."""
    index = load(json_dir, "index.json")
    return {e["title"]: norm_props(load(json_dir, e["path"])["page"]["properties"], index)
            for e in index["objects"].values() if e["type"] == "page" and e["parent"]["type"] == "database"}


@pytest.fixture(scope="module")
def captures(tmp_path_factory):
    """A capture with Markdown on each version, and what a restore of it into a fresh stand-in reads back as."""
    out = {}
    for version in (OLDEST, DEFAULT):
        where = tmp_path_factory.mktemp(version)
        with FakeNotionPublic(client_version=version) as fake:
            summary = capture_workspace(api_settings(fake), where / "json", where / "md")
            ids = fake.ids
        with FakeNotionPublic(client_version=version) as fake:
            restore_snapshot(api_settings(fake), DirSource(where / "json"), fake.empty_page_id, where / "journal")
            capture_workspace(api_settings(fake, NOTION_CAPTURE_COMMENTS="pages"), where / "again")
            restored = restored_root(where / "again", fake.empty_page_id, "Home")
        out[version] = {"dir": where, "summary": summary, "ids": ids, "restored": restored}
    return out


def test_markdown_and_csvs_are_the_same_on_both_versions(captures):
    old, new = (files_of(captures[v]["dir"] / "md") for v in (OLDEST, DEFAULT))
    assert sorted(old) == sorted(new) and len(old) > 40
    assert {name: data for name, data in new.items() if old[name] != data} == {}
    csv = next(data for name, data in new.items() if name.endswith(".csv") and "Projects" in name).decode("utf-8-sig")
    assert "Ada Lovelace" in csv and "spec.pdf" in csv  # a null person name still names the person


def test_rows_keep_every_property_on_2026_12_01(captures):
    old, new = (rows_of(captures[v]["dir"] / "json") for v in (OLDEST, DEFAULT))
    assert old == new and len(new) >= 33
    apollo = new["Apollo"]
    assert apollo["Status"] == "Active" and len(apollo["Tasks"]) == 28 and apollo["Attachments"] == ["spec.pdf"]


def test_whole_tree_is_the_same_on_both_versions(captures):
    trees = [tree(captures[v]["dir"] / "json", captures[v]["ids"]["home"]) for v in (OLDEST, DEFAULT)]
    assert trees[0] == trees[1]


def test_restore_is_the_same_on_both_versions(captures):
    trees = [tree(captures[v]["dir"] / "again", captures[v]["restored"]) for v in (OLDEST, DEFAULT)]
    assert trees[0] == trees[1]
    assert any(props.get("Status") == "Active" for props in rows_of(captures[DEFAULT]["dir"] / "again").values())


def test_queries_name_every_schema_property_and_people_arrive_without_names(tmp_path):
    with FakeNotionPublic(client_version=DEFAULT) as fake:
        capture_workspace(api_settings(fake), tmp_path / "json")
        queries = [r for r in fake.requests if r["path"].endswith("/query")]
        assert queries and all("filter_properties=" in r["url"] for r in queries)
        assert {r["version"] for r in fake.requests if r["path"].startswith("/v1/")} == {DEFAULT}
    index = json.loads((tmp_path / "json" / "index.json").read_text())
    row = next(e for e in index["objects"].values() if e["title"] == "Apollo")
    owner = load(tmp_path / "json", row["path"])["page"]["properties"]["Owner"]["people"]
    assert owner and all(person["name"] is None for person in owner)
