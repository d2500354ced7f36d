"""Page bodies from Notion's Markdown endpoint: versions, truncated subtrees, fallback to the converter, reuse."""
import json
import logging
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.public_api.capture import capture_workspace
from lib.public_api.client import NotionApi
from lib.public_api.page_markdown import GIVE_UP_AFTER, MARKDOWN_VERSION, PageMarkdown, splice, unsigned_text
from tests.fakes.notion_public import FakeNotionPublic, api_settings
from tests.fakes.public_workspace import block, root_page, text
from tests.fakes.public_writes import insert_blocks


@pytest.fixture(params=["2025-09-03", "2026-12-01"])
def fake(request):
    with FakeNotionPublic(client_version=request.param) as server:
        yield server


def tree(root):
    """{relative path: bytes} of every file below `root`."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(Path(root).rglob("*")) if p.is_file()}


def markdown_requests(fake):
    return [r for r in fake.requests if r["path"].endswith("/markdown")]


def test_pages_come_from_the_endpoint_with_its_own_version_and_no_signature_is_kept(fake, tmp_path):
    summary = capture_workspace(api_settings(fake), tmp_path / "json", tmp_path / "md")
    calls = markdown_requests(fake)
    endpoint_version = max(fake.client_version, MARKDOWN_VERSION)
    assert len(calls) == 40 and {r["version"] for r in calls} == {endpoint_version}
    assert all(r["url"].endswith("?markdown_version=v2") for r in calls)
    assert {r["version"] for r in fake.requests if r not in calls and r["path"].startswith("/v1/")} == \
        {fake.client_version}
    home = json.loads((tmp_path / "json" / "pages" / f"{fake.ids['home']}.json").read_text())
    assert home["markdown"]["notion_version"] == endpoint_version and home["markdown"]["markdown_version"] == "v2"
    assert "<toggle>" in home["markdown"]["text"]
    assert "/files/" in home["markdown"]["text"]
    for path in (tmp_path / "json").rglob("*.json"):
        assert "signature=" not in path.read_text(), path
    assert summary["markdown"]["from_endpoint"] == 40 and summary["markdown"]["from_blocks"] == 0


def test_a_truncated_page_is_completed_from_its_unknown_subtrees(fake, tmp_path):
    capture_workspace(api_settings(fake), tmp_path / "whole" / "json", tmp_path / "whole" / "md")
    whole = tree(tmp_path / "whole" / "md")
    fake.reset_requests()
    fake.faults.markdown_record_limit = 3
    summary = capture_workspace(api_settings(fake), tmp_path / "cut" / "json", tmp_path / "cut" / "md")
    assert tree(tmp_path / "cut" / "md") == whole
    extra = len(markdown_requests(fake)) - 40
    assert extra > 10 and summary["markdown"]["endpoint"]["subtrees"] == extra


def test_without_the_endpoint_the_converter_writes_every_page_and_says_why(fake, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="lib")
    fake.faults.markdown_unavailable = True
    summary = capture_workspace(api_settings(fake), tmp_path / "json", tmp_path / "md")
    assert len(markdown_requests(fake)) == GIVE_UP_AFTER
    assert summary["markdown"]["from_blocks"] == 40 and "invalid_request_url" in summary["markdown"]["endpoint_unavailable"]
    assert "HTTP 400 invalid_request_url" in caplog.text and "the block converter writes every page" in caplog.text


def test_one_page_the_endpoint_cannot_render_falls_back_alone(fake, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="lib")
    fake.faults.markdown_broken = {fake.ids["notes"]}
    summary = capture_workspace(api_settings(fake), tmp_path / "json", tmp_path / "md")
    assert (summary["markdown"]["from_endpoint"], summary["markdown"]["from_blocks"]) == (39, 1)
    assert f"gave no body for page {fake.ids['notes']} (HTTP 400 validation_error)" in caplog.text
    notes = next((tmp_path / "md" / "Home").glob("Notes *.md")).read_text()
    assert "See [Deep](Notes/Deep%20" in notes


def test_unchanged_pages_keep_their_markdown_and_an_edited_one_is_fetched_again(fake, tmp_path):
    settings_ = api_settings(fake)
    capture_workspace(settings_, tmp_path / "json", tmp_path / "md")
    fake.reset_requests()
    capture_workspace(settings_, tmp_path / "json", tmp_path / "md2")
    assert markdown_requests(fake) == []
    assert tree(tmp_path / "md") == tree(tmp_path / "md2")
    insert_blocks(fake.store, fake.ids["deeper"], {"type": "page_id", "page_id": fake.ids["deeper"]},
                  [block("paragraph", "A new line")])
    fake.reset_requests()
    capture_workspace(settings_, tmp_path / "json", tmp_path / "md3")
    assert [r["path"] for r in markdown_requests(fake)] == [f"/v1/pages/{fake.ids['deeper']}/markdown"]
    deeper = next((tmp_path / "md3").rglob("Deeper *.md")).read_text()
    assert deeper == "# Deeper\n\nBottom of the tree\n\nA new line\n"


def test_stale_markdown_gives_way_to_the_converter_when_the_fresh_one_fails(fake, tmp_path):
    settings_ = api_settings(fake)
    capture_workspace(settings_, tmp_path / "json", tmp_path / "md")
    insert_blocks(fake.store, fake.ids["deeper"], {"type": "page_id", "page_id": fake.ids["deeper"]},
                  [block("paragraph", "Edited later")])
    fake.faults.markdown_broken = {fake.ids["deeper"]}
    summary = capture_workspace(settings_, tmp_path / "json", tmp_path / "md2")
    assert summary["markdown"]["from_blocks"] == 1
    assert "Edited later" in next((tmp_path / "md2").rglob("Deeper *.md")).read_text()
    doc = json.loads((tmp_path / "json" / "pages" / f"{fake.ids['deeper']}.json").read_text())
    assert "markdown" not in doc


def test_splice_keeps_the_tags_indentation_and_refuses_a_missing_tag():
    page = "- item\n\t<unknown url=\"https://www.notion.so/p#" + "a" * 32 + "\" alt=\"toggle\"/>\nafter"
    assert splice(page, "a" * 32, "<details>\n<summary>T</summary>\n\tin\n</details>") == \
        "- item\n\t<details>\n\t<summary>T</summary>\n\t\tin\n\t</details>\nafter"
    with pytest.raises(Exception, match="no <unknown> tag"):
        splice(page, "b" * 32, "x")


def test_signed_queries_are_dropped_and_plain_ones_kept():
    text = ("![a](https://s3.example/f/x.png?X-Amz-Signature=abc&X-Amz-Expires=1) [b](https://example.com/?q=1) "
            "<file src=\"http://h/files/k/n.txt?expires=9&signature=zz\">n</file>")
    assert unsigned_text(text) == ("![a](https://s3.example/f/x.png) [b](https://example.com/?q=1) "
                                   "<file src=\"http://h/files/k/n.txt\">n</file>")


KINDS = st.sampled_from(["paragraph", "bulleted_list_item", "numbered_list_item", "to_do", "toggle", "quote",
                         "heading_2", "callout", "code"])


@st.composite
def block_trees(draw, depth=0):
    """Lists of blocks as written, nested up to three levels where Notion allows children."""
    out = []
    for _ in range(draw(st.integers(1, 4 if depth else 6))):
        kind = draw(KINDS)
        words = draw(st.text(st.characters(codec="utf-8", categories=["L", "N", "P", "Zs"]), min_size=1, max_size=12))
        extra = {"language": "python"} if kind == "code" else {}
        if kind == "heading_2":
            extra["is_toggleable"] = True
        if kind == "callout":
            extra["icon"] = {"type": "emoji", "emoji": "💡"}
        children = draw(block_trees(depth + 1)) if depth < 2 and kind not in ("code",) and draw(st.booleans()) else None
        out.append(block(kind, text(words), children=children, **extra))
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(blocks=block_trees(), limit=st.integers(1, 12))
def test_any_truncation_spliced_back_equals_the_whole_page(fake, blocks, limit):
    """Whatever Notion cuts, the page put together from its subtrees is the page Notion renders whole."""
    page = root_page(fake.store, "Generated")
    insert_blocks(fake.store, page, {"type": "page_id", "page_id": page}, blocks)
    api = NotionApi(api_settings(fake))
    try:
        fake.faults.markdown_record_limit = None
        whole = PageMarkdown(api).fetch(page)
        fake.faults.markdown_record_limit = limit
        cut = PageMarkdown(api).fetch(page)
    finally:
        api.close()
        fake.faults.markdown_record_limit = None
    assert whole["subtrees"] == 0 and cut["text"] == whole["text"]
    assert (cut["subtrees"] > 0) == (count(blocks) > limit), "Notion cuts exactly past its record limit"


def count(blocks):
    """How many blocks a tree as written holds."""
    return sum(1 + count(b[b["type"]].get("children") or []) for b in blocks)
