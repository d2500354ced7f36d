"""Restore with page bodies sent as Markdown with the page: same result as block appends, fewer requests."""
import shutil

import pytest

from lib.public_api.capture import capture_workspace
from lib.public_api.client import NotionApi, NotionApiError
from lib.public_api.restore.md_body import page_markdown
from lib.public_api.restore.restorer import DirSource, restore_snapshot
from tests.fakes.notion_public import FakeNotionPublic, api_settings
from tests.fakes.public_compare import expected_after_restore, restored_root, tree
from tests.fakes.public_versions import V2_DEFAULT
from tests.fakes.public_workspace import block, text


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    where = tmp_path_factory.mktemp("snapshot") / "one"
    with FakeNotionPublic(big_page=True, extra_pages=10) as fake:
        capture_workspace(api_settings(fake, NOTION_CAPTURE_COMMENTS="blocks"), where)
    return where


def restored(snapshot, tmp, **env):
    """Restore into a fresh stand-in; return (tree read back, expected tree, report)."""
    shutil.copytree(snapshot, tmp / "one", dirs_exist_ok=True)
    with FakeNotionPublic(big_page=True, extra_pages=10) as fake:
        for name, value in env.pop("faults", {}).items():
            setattr(fake.faults, name, value)
        report = restore_snapshot(api_settings(fake, **env), DirSource(tmp / "one"), fake.empty_page_id,
                                  tmp / "journal")
        capture_workspace(api_settings(fake), tmp / "two")
        home = restored_root(tmp / "two", fake.empty_page_id, "Home")
        return tree(tmp / "two", home), expected_after_restore(tree(tmp / "one", fake.ids["home"])), report


def test_markdown_bodies_restore_the_same_tree_in_fewer_requests(snapshot, tmp_path):
    with_markdown, expected, report = restored(snapshot, tmp_path / "md")
    blocks_only, _, reference = restored(snapshot, tmp_path / "blocks", NOTION_RESTORE_MARKDOWN_BODIES="false")
    assert with_markdown == expected == blocks_only
    assert report["created"] == reference["created"]
    assert report["requests"] < reference["requests"] - 10


def test_a_body_notion_refuses_as_markdown_is_appended_block_by_block(snapshot, tmp_path):
    result, expected, report = restored(snapshot, tmp_path / "refused", faults={"refuse_markdown_bodies": True})
    assert result == expected and not any("markdown" in loss["detail"].lower() for loss in report["losses"])


def test_bodies_that_need_block_ids_or_uploads_are_not_sent_as_markdown():
    paragraph = block("paragraph", "Plain ", text("bold", bold=True))
    child = {"id": "c", "type": "child_page", "child_page": {"title": "Sub"}}
    mention = {"type": "mention", "mention": {"type": "page", "page": {"id": "p"}}, "plain_text": "P"}
    assert page_markdown([paragraph, child]) == "Plain **bold**"
    assert page_markdown([child, paragraph]) is None, "a sub-page before the body would move to its end"
    assert page_markdown([dict(paragraph, comments=[{"id": "x"}])]) is None
    assert page_markdown([{"type": "synced_block", "synced_block": {"synced_from": None}}]) is None
    assert page_markdown([{"type": "paragraph", "paragraph": {"rich_text": [mention]}}]) is None
    assert page_markdown([{"type": "image", "image": {"type": "file", "file": {"url": "x"}}}]) is None
    link = text("see", link="https://www.notion.so/" + "a" * 32)
    assert page_markdown([{"type": "paragraph", "paragraph": {"rich_text": [link]}}]) is None


def test_the_stand_in_takes_markdown_only_without_children_and_as_v2(tmp_path):
    with FakeNotionPublic(client_version=V2_DEFAULT) as fake:
        api = NotionApi(api_settings(fake))
        parent = {"page_id": fake.empty_page_id}
        title = {"title": {"title": [{"text": {"content": "T"}}]}}
        with pytest.raises(NotionApiError, match="children"):
            api.request("POST", "pages", body={"parent": parent, "properties": title, "markdown": "x",
                                               "children": []})
        with pytest.raises(NotionApiError, match="markdown_version"):
            api.request("POST", "pages", body={"parent": parent, "properties": title, "markdown": "x",
                                               "markdown_version": "v1"})
        page = api.request("POST", "pages", body={"parent": parent, "properties": title, "markdown_version": "v2",
                                                  "markdown": "Hello **you**\n\n- a\n\t- b"})
        kids = api.request("GET", f"blocks/{page['id']}/children")["results"]
        api.close()
    assert [k["type"] for k in kids] == ["paragraph", "bulleted_list_item"] and kids[1]["has_children"]
