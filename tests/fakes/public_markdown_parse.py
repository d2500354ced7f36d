"""The stand-in reading a page body sent as Notion-flavored Markdown v2 (POST /v1/pages `markdown`) into blocks.

What it reads: blank-line separated blocks; `#` headings; `-`, `1.`, `- [ ]`, `- [x]` list items with their
children one tab deeper; `>` quotes; fenced code; `$$` equations; `---`; `<empty-block/>`; the tag forms `<p>`,
`<quote>`, `<toggle>`, `<h1>`..`<h3>` (text first, children after a blank line, `color` and `toggle` attributes);
`<table>` with `<tr><td>`; inline `**`, `*`, `~~`, backticks, `$...$`, links, `<span color|underline>`, backslash
escapes. Anything else is a 400 validation_error, as Notion refuses what it cannot parse.
"""
import re

from tests.fakes.public_writes import invalid

TAG = re.compile(r'^<(p|quote|toggle|h[1-3])((?:\s+[a-z_-]+="[^"]*")*)>(.*)$')
ATTR = re.compile(r'([a-z_-]+)="([^"]*)"')
LIST = re.compile(r"^(- \[[ x]\] |- |1\. )")
HEADING = re.compile(r"^(#{1,3}) (.*)$")
CELL = re.compile(r"<td>(.*?)</td>")
RUN_MAX = 2000


def blocks_of(markdown):
    """The write-shape blocks of a v2 Markdown body."""
    return _blocks(markdown.split("\n"))


def _blocks(lines):
    out, i = [], 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        if line.startswith("```"):
            end = lines.index("```", i + 1)
            code = "\n".join(lines[i + 1:end])
            out.append(_text("code", [_run(code, {})] if code else [], language=line[3:] or "plain text"))
            i = end + 1
        elif line == "$$":
            end = lines.index("$$", i + 1)
            out.append({"type": "equation", "equation": {"expression": "\n".join(lines[i + 1:end])}})
            i = end + 1
        elif line == "---":
            out.append({"type": "divider", "divider": {}})
            i += 1
        elif line == "<empty-block/>":
            out.append(_text("paragraph", []))
            i += 1
        elif line.startswith("<table"):
            end = next(n for n in range(i, len(lines)) if lines[n] == "</table>")
            out.append(_table(line, lines[i + 1:end]))
            i = end + 1
        elif TAG.match(line):
            i = _tag(lines, i, out)
        elif LIST.match(line):
            end = i + 1
            while end < len(lines) and (lines[end].startswith("\t") or not lines[end]
                                        and end + 1 < len(lines) and lines[end + 1].startswith("\t")):
                end += 1
            kids = _blocks([part[1:] if part.startswith("\t") else part for part in lines[i + 1:end]])
            out.append(_list_item(LIST.match(line).group(1), line[len(LIST.match(line).group(1)):], kids))
            i = end
        else:
            end = i + 1
            while end < len(lines) and lines[end].strip():
                end += 1
            out.append(_leaf("\n".join(lines[i:end])))
            i = end
    return out


def _leaf(text):
    heading = HEADING.match(text)
    if heading:
        return _text(f"heading_{len(heading.group(1))}", inline(heading.group(2)))
    if text.startswith("> "):
        return _text("quote", inline(text[2:]))
    if text.startswith("<"):
        invalid("body.markdown", "Notion-flavored Markdown the stand-in reads", text[:40])
    return _text("paragraph", inline(text))


def _list_item(mark, text, kids):
    kind = {"- ": "bulleted_list_item", "1. ": "numbered_list_item"}.get(mark, "to_do")
    extra = {"checked": mark == "- [x] "} if kind == "to_do" else {}
    return _text(kind, inline(text), kids, **extra)


def _tag(lines, i, out):
    tag, attrs, rest = TAG.match(lines[i]).groups()
    values = dict(ATTR.findall(attrs))
    kind = {"p": "paragraph", "quote": "quote", "toggle": "toggle"}.get(tag) or f"heading_{tag[1]}"
    extra = {"color": values["color"]} if "color" in values else {}
    if tag.startswith("h"):
        extra["is_toggleable"] = values.get("toggle") == "true"
    if rest.endswith(f"</{tag}>"):
        out.append(_text(kind, inline(rest[:-len(f"</{tag}>")]), **extra))
        return i + 1
    depth, end = 1, i + 1
    while depth:
        opened = lines[end].startswith(f"<{tag}") and not lines[end].endswith(f"</{tag}>")
        depth += opened - (lines[end] == f"</{tag}>")
        end += 1
    body = lines[i + 1:end - 1]
    stop = next((n for n, part in enumerate(body) if not part.strip()), len(body))
    out.append(_text(kind, inline("\n".join(body[:stop])), _blocks(body[stop:]), **extra))
    return end


def _table(head, rows):
    values = dict(ATTR.findall(head))
    cells = [[inline(cell) for cell in CELL.findall(row)] for row in rows]
    return {"type": "table", "table": {
        "table_width": max((len(row) for row in cells), default=1),
        "has_column_header": values.get("header-row") == "true",
        "has_row_header": values.get("header-column") == "true",
        "children": [{"type": "table_row", "table_row": {"cells": row}} for row in cells]}}


def _text(kind, runs, children=None, **extra):
    payload = dict(extra, rich_text=runs)
    if children:
        payload["children"] = children
    return {"type": kind, kind: payload}


def _run(text, notes, link=None):
    return {"type": "text", "text": {"content": text, "link": {"url": link} if link else None},
            "annotations": dict(notes)}


def inline(text, notes=None, link=None):
    """Rich-text runs (write shape) of inline v2 Markdown."""
    notes, runs, buf, i = dict(notes or {}), [], [], 0

    def flush():
        content = "".join(buf)
        for start in range(0, len(content), RUN_MAX):
            runs.append(_run(content[start:start + RUN_MAX], notes, link))
        buf.clear()
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            buf.append(text[i + 1])
            i += 2
        elif text.startswith("**", i) or text.startswith("~~", i) or c == "*":
            key = {"**": "bold", "~~": "strikethrough"}.get(text[i:i + 2], "italic")
            flush()
            notes[key] = not notes.get(key)
            i += 1 if key == "italic" else 2
        elif c in "`$":
            end = text.index(c, i + 1)
            flush()
            if c == "$":
                runs.append({"type": "equation", "equation": {"expression": text[i + 1:end]},
                             "annotations": dict(notes)})
            else:
                runs.append(_run(text[i + 1:end], dict(notes, code=True), link))
            i = end + 1
        elif c == "[":
            close = _matching(text, i, "[", "]")
            end = text.index(")", close)
            flush()
            runs += inline(text[i + 1:close], notes, text[close + 2:end])
            i = end + 1
        elif text.startswith("<span", i):
            head_end = text.index(">", i)
            close = _matching(text, i, "<span", "</span>")
            values = dict(ATTR.findall(text[i:head_end]))
            inner = dict(notes, underline=True) if values.get("underline") == "true" else dict(notes)
            if "color" in values:
                inner["color"] = values["color"]
            flush()
            runs += inline(text[head_end + 1:close], inner, link)
            i = close + len("</span>")
        else:
            buf.append(c)
            i += 1
    flush()
    return [r for r in runs if r.get("type") == "equation" or r["text"]["content"]]


def _matching(text, start, opening, closing):
    """Index of the `closing` that ends the `opening` at `start` (nesting counted, escapes skipped)."""
    depth, i = 0, start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(opening, i):
            depth += 1
            i += len(opening)
            continue
        if text.startswith(closing, i):
            depth -= 1
            if depth == 0:
                return i
            i += len(closing)
            continue
        i += 1
    invalid("body.markdown", f"a closed {opening}", text[start:start + 40])
