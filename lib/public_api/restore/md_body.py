"""A captured page body as Notion-flavored Markdown v2, sent with the page itself (POST /v1/pages `markdown`).

Only where nothing in the body needs a block id afterwards and Markdown says all of it: no synced blocks, block
comments, mentions or links to fix up, files to upload, pages inside blocks; otherwise None and the restore
appends blocks as before. Child pages and databases after the last block are created after the page as usual.
"""
import re

from lib.public_api.restore.block_tree import STRUCTURAL

TEXT_BLOCKS = {"paragraph", "heading_1", "heading_2", "heading_3", "bulleted_list_item", "numbered_list_item",
               "to_do", "quote", "toggle"}
LISTS = {"bulleted_list_item": "- ", "numbered_list_item": "1. "}
ESCAPE = {c: "\\" + c for c in "\\*~`$[]<>|_#-+"}
RICH_TEXT_MAX = 100
NUMBERED = re.compile(r"^(\d+)([.)])")
MARKS = (("bold", "**"), ("italic", "*"), ("strikethrough", "~~"))


class Unsayable(Exception):
    """Something in the body Markdown cannot carry, or that needs its block id after creation."""


def page_markdown(blocks):
    """The body of a page as v2 Markdown, or None when it must be appended block by block."""
    content = list(blocks)
    while content and content[-1].get("type") in STRUCTURAL:
        content.pop()  # created after the page, so they still come last
    if not content:
        return None
    try:
        return "\n\n".join(_block(block) for block in content)
    except Unsayable:
        return None


def _escape(text):
    return "".join(ESCAPE.get(c, c) for c in text)


def rich(items):
    """Rich text as inline v2 Markdown (plain runs, annotations, links, inline equations)."""
    if len(items or []) > RICH_TEXT_MAX:
        raise Unsayable()  # Notion's limit per block: the block path splits the block as it must
    out = []
    for item in items or []:
        notes = item.get("annotations") or {}
        if item.get("type") == "equation":
            expression = item["equation"]["expression"]
            if "$" in expression or "\n" in expression:
                raise Unsayable()
            out.append(f"${expression}$")
            continue
        if item.get("type") != "text":
            raise Unsayable()  # mentions name pages and users by id: the block path maps and fixes them
        text = item["text"]["content"]
        if "\n" in text:
            raise Unsayable()  # a line break inside a block: the block path keeps it exactly
        if not text.strip():
            out.append(_escape(text))
            continue
        if notes.get("code"):
            if "`" in text or "\n" in text:
                raise Unsayable()
            text = f"`{text}`"
        else:
            text = _escape(text)
        for key, mark in MARKS:
            if notes.get(key):
                text = f"{mark}{text}{mark}"
        if notes.get("underline"):
            text = f'<span underline="true">{text}</span>'
        if notes.get("color", "default") != "default":
            text = f'<span color="{notes["color"]}">{text}</span>'
        link = (item["text"].get("link") or {}).get("url")
        if link and (any(c in link for c in "() \n") or "notion" in link):
            raise Unsayable()  # a link to a Notion page is rewritten to the restored page by the block path
        out.append(f"[{text}]({link})" if link else text)
    return "".join(out)


def _block(block):
    kind = block.get("type")
    if block.get("comments") or block.get("children_skipped") or kind in STRUCTURAL:
        raise Unsayable()
    payload = block.get(kind) or {}
    kids = block.get("children") or []
    if kind in TEXT_BLOCKS:
        return _text_block(kind, payload, kids)
    if kids and kind != "table":
        raise Unsayable()
    if kind == "code":
        code = "".join(t.get("plain_text", "") for t in payload.get("rich_text") or [])
        if "```" in code:
            raise Unsayable()
        return f"```{payload.get('language') or ''}\n{code}\n```"
    if kind == "equation":
        return f"$$\n{payload['expression']}\n$$"
    if kind == "divider":
        return "---"
    if kind == "table":
        return _table(payload, kids)
    raise Unsayable()


def _text_block(kind, payload, kids):
    text = NUMBERED.sub(r"\1\\\2", rich(payload.get("rich_text")))  # "1. " opening a paragraph is text
    color = payload.get("color", "default")
    body = "\n\n".join(_block(kid) for kid in kids)
    if kind in LISTS or kind == "to_do":
        if color != "default" or "\n" in text:
            raise Unsayable()
        mark = LISTS.get(kind) or ("- [x] " if payload.get("checked") else "- [ ] ")
        nested = "\n".join("\t" + line if line else "" for line in body.split("\n")) if kids else ""
        return mark + text + ("\n" + nested if kids else "")
    tag = {"paragraph": "p", "quote": "quote", "toggle": "toggle"}.get(kind) or "h" + kind[-1]
    attrs = ' toggle="true"' if kind.startswith("heading") and payload.get("is_toggleable") else ""
    attrs += f' color="{color}"' if color != "default" else ""
    if kind.startswith("heading") and ("\n" in text or kids and not attrs):
        raise Unsayable()
    if not kids and kind != "toggle" and not attrs:
        return {"paragraph": text or "<empty-block/>", "quote": f"> {text}"}.get(kind) \
            or "#" * int(kind[-1]) + " " + text
    if not kids and kind != "toggle" and 'toggle="true"' not in attrs:
        return f"<{tag}{attrs}>{text}</{tag}>"
    return f"<{tag}{attrs}>\n{text}" + (f"\n\n{body}" if kids else "") + f"\n</{tag}>"


def _table(payload, rows):
    if any(row.get("type") != "table_row" or row.get("comments") for row in rows):
        raise Unsayable()
    head = (f'<table header-row="{str(bool(payload.get("has_column_header"))).lower()}" '
            f'header-column="{str(bool(payload.get("has_row_header"))).lower()}">')
    lines = [head]
    for row in rows:
        cells = row["table_row"]["cells"]
        if any("\n" in "".join(t.get("plain_text", "") for t in cell) for cell in cells):
            raise Unsayable()
        lines.append("<tr>" + "".join(f"<td>{rich(cell)}</td>" for cell in cells) + "</tr>")
    return "\n".join(lines + ["</table>"])
