"""Notion-flavored Markdown v2 renders as its v1 form does; v1 stays readable; v1 refused where Notion refuses it."""
import json

import mistune
import pytest

from lib.public_api.capture import capture_workspace
from lib.public_api.client import NotionApi, NotionApiError
from lib.public_api.nfm_v2 import to_v1
from lib.public_api.notion_md import Links, convert
from tests.fakes.notion_public import FakeNotionPublic, api_settings
from tests.fakes.public_schema import create_page
from tests.fakes.public_versions import V2_DEFAULT
from tests.fakes.public_workspace import block, root_page, text
from tests.fakes.public_writes import insert_blocks

P = lambda *children: block("paragraph", "Child paragraph", children=list(children))  # noqa: E731
EVERY_BLOCK = {
    "paragraph": [block("paragraph", "Plain ", text("bold", bold=True), " and ", text("red", color="red")),
                  block("paragraph", "Coloured", color="blue_background"), block("paragraph"),
                  block("paragraph", "Parent", children=[block("paragraph", "Its child")]),
                  block("paragraph", 'Literal {color="red"}')],
    "heading": [block("heading_1", "One"), block("heading_2", "Two", color="red"), block("heading_3", "Three"),
                block("heading_2", "Folding", is_toggleable=True, children=[block("paragraph", "Folded")])],
    "list": [block("bulleted_list_item", "Bullet", children=[block("bulleted_list_item", "Nested"),
                                                              block("toggle", "In a list", children=[P()])]),
             block("numbered_list_item", "First"), block("numbered_list_item", "Second"),
             block("to_do", "Done", checked=True), block("to_do", "Open")],
    "quote": [block("quote", "Quoted"), block("quote", "Quoted red", color="red"),
              block("quote", "Quoted parent", children=[block("paragraph", "Quoted child")])],
    "toggle": [block("toggle", "Toggle", color="gray", children=[block("paragraph", "Inside"), P()])],
    "callout": [block("callout", "Careful", icon={"type": "emoji", "emoji": "⚠️"}, color="yellow_background",
                      children=[block("bulleted_list_item", "A point")])],
    "code": [block("code", "def f():\n\n    return {\"a\": 1}", language="python")],
    "equation": [block("equation", expression="e^{i\\pi}+1=0")],
    "divider": [block("divider")],
    "media": [{"type": "image", "image": {"type": "external", "external": {"url": "https://example.com/p.jpg"},
                                          "caption": [text("A picture")]}},
              {"type": "embed", "embed": {"url": "https://widgets.example.com/chart", "caption": []}},
              {"type": "bookmark", "bookmark": {"url": "https://example.com/a", "caption": []}}],
    "table": [block("table", table_width=2, has_column_header=True, has_row_header=False, children=[
        {"type": "table_row", "table_row": {"cells": [[text("Key")], [text("Value")]]}},
        {"type": "table_row", "table_row": {"cells": [[text("a")], [text("1")]]}}])],
    "columns": [{"type": "column_list", "column_list": {"children": [
        {"type": "column", "column": {"children": [block("paragraph", "Left"), block("quote", "Left quote")]}},
        {"type": "column", "column": {"children": [block("heading_3", "Right")]}}]}}],
    "synced_block": [block("synced_block", children=[block("paragraph", "Synced"), block("to_do", "Task")],
                           synced_from=None)],
}


@pytest.fixture(scope="module")
def workspace():
    with FakeNotionPublic(client_version="2026-12-01") as fake:
        pages = {}
        for kind, blocks in EVERY_BLOCK.items():
            pid = pages[kind] = root_page(fake.store, kind.title())
            # A paragraph first: one block each way would read alike in v1 and v2.
            insert_blocks(fake.store, pid, {"type": "page_id", "page_id": pid}, [block("paragraph", "Intro")] + blocks)
        create_page(fake, {"parent": {"page_id": pages["paragraph"]},
                           "properties": {"title": {"title": [text("A child page")]}}})
        yield fake, pages


def markdown_of(fake, page_id, version, markdown_version):
    api = NotionApi(api_settings(fake, NOTION_API_VERSION=version))
    try:
        return api.request("GET", f"pages/{page_id}/markdown", query={"markdown_version": markdown_version})
    finally:
        api.close()


def html(markdown):
    return mistune.create_markdown(escape=False, plugins=["table", "strikethrough"])(markdown)


LINKS = Links(lambda url: "target.md" if "notion.so" in url else None, lambda url: None)


@pytest.mark.parametrize("kind", sorted(EVERY_BLOCK))
def test_v2_of_every_block_renders_as_its_v1_form(workspace, kind):
    fake, pages = workspace
    v1 = markdown_of(fake, pages[kind], "2026-12-01", "v1")["markdown"]
    v2 = markdown_of(fake, pages[kind], "2026-12-01", "v2")["markdown"]
    assert v1 != v2, "the stand-in must answer v2 in its own syntax"
    assert convert(v2, LINKS, "v2") == convert(v1, LINKS, "v1")
    assert html(convert(v2, LINKS, "v2")) == html(convert(v1, LINKS, "v1"))


def test_literal_braces_of_v2_stay_text_and_tag_forms_never_reach_the_site(workspace):
    fake, pages = workspace
    v2 = markdown_of(fake, pages["paragraph"], "2026-12-01", "v2")["markdown"]
    assert 'Literal {color="red"}' in v2 and '<p color="blue_background">' in v2
    out = html(convert(v2, LINKS, "v2"))
    assert 'Literal {color=&quot;red&quot;}' in out and "<p color" not in out and "&lt;" not in out
    for kind in ("toggle", "callout", "columns", "quote", "heading"):
        rendered = html(convert(markdown_of(fake, pages[kind], "2026-12-01", "v2")["markdown"], LINKS, "v2"))
        assert "&lt;" not in rendered and "<toggle" not in rendered and "<callout" not in rendered, kind


def test_v2_blocks_split_on_blank_lines_and_lines_of_one_block_stay_one():
    assert to_v1("One\nstill one\n\nTwo") == "One<br>still one\nTwo"
    assert to_v1('Text {color="red"}') == 'Text \\{color="red"\\}'


def test_the_next_version_refuses_v1_and_the_capture_still_reads_v2(tmp_path):
    with FakeNotionPublic(client_version=V2_DEFAULT) as fake:
        with pytest.raises(NotionApiError, match="400 validation_error"):
            markdown_of(fake, fake.ids["home"], V2_DEFAULT, "v1")
        assert markdown_of(fake, fake.ids["home"], V2_DEFAULT, "v2")["markdown_version"] == "v2"
        summary = capture_workspace(api_settings(fake), tmp_path / "json", tmp_path / "md")
    assert summary["markdown"]["from_endpoint"] == 40 and summary["markdown"]["from_blocks"] == 0


def test_stored_v1_markdown_is_read_as_v1_and_fetched_again_as_v2(tmp_path):
    with FakeNotionPublic(client_version="2026-12-01") as fake:
        capture_workspace(api_settings(fake), tmp_path / "json", tmp_path / "md")
        home_path = tmp_path / "json" / "pages" / f"{fake.ids['home']}.json"
        home = json.loads(home_path.read_text())
        # A snapshot written before markdown_version was sent: v1 text, no version named.
        home["markdown"]["text"] = markdown_of(fake, fake.ids["home"], "2026-12-01", "v1")["markdown"]
        del home["markdown"]["markdown_version"]
        home_path.write_text(json.dumps(home))
        from lib.public_api.markdown import write_markdown
        write_markdown(tmp_path / "json", tmp_path / "old")
        assert sorted(p.read_bytes() for p in (tmp_path / "old").rglob("*.md")) == \
            sorted(p.read_bytes() for p in (tmp_path / "md").rglob("*.md"))
        fake.reset_requests()
        capture_workspace(api_settings(fake), tmp_path / "json", tmp_path / "md2")
        assert [r["path"] for r in fake.requests if r["path"].endswith("/markdown")] == \
            [f"/v1/pages/{fake.ids['home']}/markdown"]
    assert json.loads(home_path.read_text())["markdown"]["markdown_version"] == "v2"
