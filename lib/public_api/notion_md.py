"""Notion's Markdown (GET /v1/pages/{id}/markdown, v1 or v2) as the Markdown of Notion's export, for the site.

What changes, and why (the rest of Notion's text is kept as it comes):
- links to pages and databases (`<page url>`, `<database url>`, `<mention-page url>`, ...) become relative links to
  their files in the export layout, hosted files become the attachments stored beside the page: the site and
  the snapshot must not depend on notion.so or on signed URLs that expire within the hour;
- the XML-like containers the site does not render (columns, synced blocks, tables, callout fences, attribute
  lists, spans) become the Markdown or the `<aside>`/`<details>` the export itself writes;
- one block per line becomes blocks separated by blank lines, tabs become four spaces, as CommonMark needs.
"""
import re

from lib.public_api.nfm_v2 import to_v1

FENCE = re.compile(r"^(`{3,}|~{3,}|\$\$)")
ATTRS = re.compile(r'\s*(?<!\\)\{(?:\s*[a-z_-]+="[^"]*")+\s*\}\s*$')
LIST = re.compile(r"^(?:[-*+] |\d+[.)] )")
CONTAINER = re.compile(r"^</?(?:columns|column|synced_block|synced_block_reference)\b[^>]*>$")
CALLOUT = re.compile(r'^:::\s*callout\b(.*)$')
ICON = re.compile(r'icon="([^"]*)"')
UNKNOWN = re.compile(r'^<unknown\b[^>]*/>$')
REF = re.compile(r'<(page|database|mention-page|mention-database|data-source)\s+url="([^"]*)"[^>]*?(?:/>|>(.*?)</\1>)')
USER = re.compile(r'<mention-user\s+url="[^"]*?([0-9a-fA-F-]{32,36})"[^>]*?(?:/>|>(.*?)</mention-user>)')
DATE = re.compile(r'<mention-date\s+start="([^"]*)"(?:\s+end="([^"]*)")?[^>]*?/>')
MEDIA = re.compile(r'<(image|file|pdf|video|audio|embed|bookmark)\s+(?:src|source|url)="([^"]*)"[^>]*?'
                   r'(?:/>|>(.*?)</\1>)')
IMAGE = re.compile(r'!\[([^\]]*)\]\(([^)\s]+)\)')
SPAN = re.compile(r'<span\b([^>]*)>(.*?)</span>')
CELL = re.compile(r"<t[dh]\b[^>]*>(.*?)</t[dh]>")


class Links:
    """How a page's Markdown points elsewhere: `page(url)` and `file(url)` give relative hrefs or None."""

    def __init__(self, page, file, user=lambda user_id: ""):
        self.page, self.file, self.user = page, file, user


def convert(text, links, markdown_version="v1"):
    """Return Notion's Markdown `text` (v1 enhanced Markdown or v2 Notion-flavored Markdown) as export-style
    Markdown (see the module docstring); v2 is read back into v1's shapes first, so both render alike."""
    if markdown_version == "v2":
        text = to_v1(text)
    lines, scopes, fence, table = [], [], None, None
    for raw in text.replace("\r\n", "\n").split("\n"):
        depth = len(raw) - len(raw.lstrip("\t"))
        line = raw[depth:]
        if fence:  # code is literal: only the indentation of the block itself changes
            closing = line.startswith(fence[0]) and not line.strip(fence[0][0]).strip()
            lines.append(("fence_end" if closing else "code", fence[1], raw[min(depth, fence[2]):]))
            fence = None if closing else fence
            continue
        while scopes and scopes[-1][1] == "heading" and depth <= scopes[-1][0]:
            scopes.pop()  # a toggle heading's children end where the indentation does
        level = depth - sum(1 for scope in scopes if scope[0] < depth)
        if table is not None:
            table = _table_line(line, table, lines)
            continue
        if FENCE.match(line):
            fence = (FENCE.match(line).group(1), level, depth)
            lines.append(("fence", level, line))
        elif CONTAINER.match(line.strip()):
            _scope(scopes, depth, "container", line)
        elif CALLOUT.match(line):
            icon = ICON.search(CALLOUT.match(line).group(1))
            scopes.append((depth, "callout", icon.group(1) if icon else ""))
            lines.append(("tag", level, "<aside>"))
        elif line.strip() == ":::" and scopes and scopes[-1][1] == "callout":
            scopes.pop()
            lines.append(("tag", level, "</aside>"))
        elif line.startswith("<details"):
            scopes.append((depth, "details", ""))
            lines.append(("tag", level, "<details>"))
        elif line.startswith("</details>"):
            if scopes and scopes[-1][1] == "details":
                scopes.pop()
            lines.append(("tag", depth - len(scopes), "</details>"))
        elif line.startswith("<table"):
            table = {"level": level, "rows": [], "row": None}
        elif UNKNOWN.match(line) or not line.strip():
            lines.append(("blank", level, ""))
        elif line.strip() == "<empty-block/>":
            lines.append(("blank", level, ""))
        else:
            heading = line.startswith("#") and 'toggle="true"' in line
            line = _inline(ATTRS.sub("", line), links)
            callout = next((s for s in reversed(scopes) if s[1] == "callout" and s[2]), None)
            if callout and lines and lines[-1][2] == "<aside>":
                line = f"{callout[2]} {line}"  # the export puts the callout's icon before its text
            lines.append(("list" if LIST.match(line) else "summary" if line.startswith("<summary") else "text",
                          level, line))
            if heading:
                scopes.append((depth, "heading", ""))
    return _join(lines)


def _scope(scopes, depth, kind, line):
    """Open or close a container whose tags disappear and whose children move one level up."""
    if line.strip().startswith("</"):
        if scopes and scopes[-1][1] == kind:
            scopes.pop()
    elif not line.strip().endswith("/>"):
        scopes.append((depth, kind, ""))


def _table_line(line, table, lines):
    """Collect one line of a `<table>`; at `</table>` write it as a Markdown table. Return the table or None."""
    stripped = line.strip()
    if stripped.startswith("<tr"):
        table["row"] = []
    cells = CELL.findall(stripped)
    if cells and table["row"] is not None:
        table["row"].extend(cells)
    if stripped.endswith("</tr>") and table["row"] is not None:
        table["rows"].append(table["row"])
        table["row"] = None
    if not stripped.endswith("</table>"):
        return table
    rows = table["rows"] or [[""]]
    width = max(len(row) for row in rows)
    rows = [[cell.strip().replace("|", "\\|") for cell in row] + [""] * (width - len(row)) for row in rows]
    lines.append(("table", table["level"], "| " + " | ".join(rows[0]) + " |"))
    lines.append(("table", table["level"], "| " + " | ".join(["---"] * width) + " |"))
    lines += [("table", table["level"], "| " + " | ".join(row) + " |") for row in rows[1:]]
    return None


def _inline(line, links):
    """Rewrite references, mentions, media and spans inside one line."""
    def ref(match):
        kind, url, title = match.group(1), match.group(2), match.group(3) or ""
        href = links.page(url)
        label = title or ("Untitled" if kind in ("page", "mention-page") else "Untitled database")
        return f"[{label}]({href})" if href else label

    def media(match):
        kind, url, caption = match.group(1), match.group(2), (match.group(3) or "").strip()
        if kind in ("embed", "bookmark"):
            return f"[{caption or url}]({url})"
        href = links.file(url) or url
        label = caption or href.rsplit("/", 1)[-1]
        return f"![{label}]({href})" if kind == "image" else f"[{label}]({href})"

    def span(match):
        attrs, inner = match.group(1), match.group(2)
        return f"<u>{inner}</u>" if 'underline="true"' in attrs else inner

    line = REF.sub(ref, line)
    line = USER.sub(lambda m: m.group(2) or f"@{links.user(m.group(1)) or 'someone'}", line)
    line = DATE.sub(lambda m: m.group(1) + (f" → {m.group(2)}" if m.group(2) else ""), line)
    line = MEDIA.sub(media, line)
    line = IMAGE.sub(lambda m: f"![{m.group(1)}]({links.file(m.group(2)) or m.group(2)})", line)
    for _ in range(3):  # spans may nest (a coloured, underlined run)
        line = SPAN.sub(span, line)
    return line


def _join(lines):
    """Indent with spaces and separate blocks by blank lines (code, list items and table rows stay together)."""
    out, previous = [], None
    for kind, level, text in lines:
        if kind == "blank":
            previous = None
            continue
        together = previous is not None and (
            kind in ("code", "fence_end")
            or kind == "list" and (previous[0] == "list" or previous[1] > level)
            or kind == "table" and previous[0] == "table")
        if not together and out and out[-1] != "":
            out.append("")
        out.append("    " * max(level, 0) + text if text else "")
        previous = (kind, level)
    return "\n".join(out).strip("\n") + "\n" if out else ""
