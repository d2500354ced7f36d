"""Notion blocks, rich text and property values rendered as Notion-export-style Markdown."""
from datetime import datetime

INDENT = "    "
HEADINGS = {"heading_1": "#", "heading_2": "##", "heading_3": "###"}
LISTS = {"bulleted_list_item", "numbered_list_item", "to_do", "toggle"}


def rich(items, link=None):
    """Render a rich-text array as Markdown with annotations, links and mentions."""
    out = []
    for item in items or []:
        kind = item.get("type")
        text = item.get("plain_text", "")
        if kind == "equation":
            out.append(f"${item['equation']['expression']}$")
            continue
        href = item.get("href")
        if kind == "mention":
            mention = item["mention"]
            target = (mention.get(mention.get("type")) or {}).get("id")
            href = (link(target) if link and target else None) or href
        ann = item.get("annotations") or {}
        core = text.strip()
        if core:
            if ann.get("code"):
                core = f"`{core}`"
            if ann.get("bold"):
                core = f"**{core}**"
            if ann.get("italic"):
                core = f"*{core}*"
            if ann.get("strikethrough"):
                core = f"~~{core}~~"
            if href:
                core = f"[{core}]({href})"
            lead = text[:len(text) - len(text.lstrip())]
            trail = text[len(text.rstrip()):]
            text = lead + core + trail
        out.append(text)
    return "".join(out)


def fmt_date(value):
    """Format a Notion date value as the export does ("January 15, 2026", with an end when set)."""
    if not value:
        return ""

    def one(stamp):
        try:
            if "T" in stamp:
                moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
                return moment.strftime("%B %-d, %Y %-I:%M %p")
            return datetime.fromisoformat(stamp).strftime("%B %-d, %Y")
        except ValueError:
            return stamp
    text = one(value["start"])
    return f"{text} → {one(value['end'])}" if value.get("end") else text


def cell_text(prop, users, link, title=None, csv=False):
    """Render one property value as a CSV cell or a `Name: value` line."""
    kind = prop.get("type")
    value = prop.get(kind)
    if kind in ("title", "rich_text"):
        return "".join(t.get("plain_text", "") for t in value or [])
    if kind in ("select", "status"):
        return (value or {}).get("name", "")
    if kind == "multi_select":
        return ", ".join(o["name"] for o in value or [])
    if kind == "date":
        return fmt_date(value)
    if kind == "checkbox":
        return "Yes" if value else "No"
    if kind == "number":
        return "" if value is None else (str(int(value)) if float(value).is_integer() else str(value))
    if kind == "people":
        # From 2026-12-01 a person's name may be null: the workspace's user list names them where it can.
        return ", ".join(users.get(p.get("id")) or p.get("name") or "" for p in value or [])
    if kind == "relation":
        names = [(title(r["id"]) if title else "") or r["id"] for r in value or []]
        return ", ".join(f"{n} ({link(r['id'])})" if link(r["id"]) else n for n, r in zip(names, value or []))
    if kind == "files":
        return ", ".join(f.get("name") or (f.get(f.get("type")) or {}).get("url", "") for f in value or [])
    if kind in ("formula", "rollup"):
        inner = value or {}
        sub = inner.get(inner.get("type"))
        if isinstance(sub, dict):
            return fmt_date(sub)
        if isinstance(sub, list):
            return ", ".join(cell_text(v, users, link) for v in sub)
        return "" if sub is None else str(sub)
    if kind in ("created_time", "last_edited_time"):
        return fmt_date({"start": value}) if value else ""
    if kind in ("created_by", "last_edited_by"):
        return users.get((value or {}).get("id"), "")
    if kind == "unique_id":
        return f"{value.get('prefix') or ''}{'-' if value.get('prefix') else ''}{value.get('number')}"
    return "" if value is None else str(value)


class BlockRenderer:
    """Turns a captured block tree into Markdown; `link(id)` and `attach(stored)` give relative paths."""

    def __init__(self, link, attach, users, title=None):
        self.link, self.attach, self.users = link, attach, users
        self.title = title or (lambda object_id: "")

    def render(self, blocks, depth=0):
        """Render a list of sibling blocks, separated the way Notion's export separates them."""
        parts, number = [], 0
        for block in blocks:
            kind = block.get("type")
            number = number + 1 if kind == "numbered_list_item" else 0
            text = self.block(block, depth, number)
            if text is not None:
                parts.append(text)
        return "\n\n".join(p for p in parts if p != "") + ("\n" if parts and depth == 0 else "")

    def children(self, block, depth):
        """Render a block's children one level deeper."""
        kids = block.get("children") or []
        return self.render(kids, depth).rstrip("\n") if kids else ""

    def media(self, block, kind):
        """Render an image or file block as a link to the stored copy or the external URL."""
        payload = block[kind]
        caption = rich(payload.get("caption"))
        stored = payload.get("backup_file")
        if stored:
            target = self.attach(stored)
            label = caption or stored.get("name") or kind
        else:
            target = (payload.get(payload.get("type")) or {}).get("url", "")
            label = caption or payload.get("name") or target
        return f"![{label}]({target})" if kind == "image" else f"[{label}]({target})"

    def block(self, block, depth, number):
        """Render one block (None for blocks the export leaves out)."""
        kind = block.get("type")
        payload = block.get(kind) or {}
        pad = INDENT * depth
        text = rich(payload.get("rich_text"), self.link)
        kids = lambda: self.children(block, depth + 1)  # noqa: E731
        if kind == "paragraph":
            body = pad + text
            return body + ("\n\n" + kids() if block.get("children") else "")
        if kind in HEADINGS:
            nested = self.children(block, depth)
            return f"{pad}{HEADINGS[kind]} {text}" + ("\n\n" + nested if nested else "")
        if kind in LISTS:
            marker = {"bulleted_list_item": "-", "toggle": "-", "numbered_list_item": f"{number}.",
                      "to_do": "- [x]" if payload.get("checked") else "- [ ]"}[kind]
            nested = kids()
            # A nested list follows on the next line; other content needs a blank line to stay inside the item.
            first = (block.get("children") or [{}])[0].get("type")
            return f"{pad}{marker} {text}" + (("\n" if first in LISTS else "\n\n") + nested if nested else "")
        if kind == "quote":
            return f"{pad}> {text}"
        if kind == "callout":
            icon = (payload.get("icon") or {}).get("emoji", "")
            nested = kids()
            return f"{pad}<aside>\n{pad}{icon} {text}".rstrip() + ("\n\n" + nested if nested else "") + f"\n{pad}</aside>"
        if kind == "code":
            code = "".join(t.get("plain_text", "") for t in payload.get("rich_text") or [])
            return f"{pad}```{payload.get('language') or ''}\n{code}\n{pad}```"
        if kind == "equation":
            return f"{pad}$$\n{payload.get('expression', '')}\n$$"
        if kind == "divider":
            return f"{pad}---"
        if kind in ("image", "file", "pdf", "video", "audio"):
            return pad + self.media(block, kind)
        if kind in ("bookmark", "embed", "link_preview"):
            url = payload.get("url", "")
            return f"{pad}[{rich(payload.get('caption')) or url}]({url})"
        if kind in ("child_page", "child_database", "link_to_page"):
            target = block["id"] if kind != "link_to_page" else payload.get(payload.get("type"))
            title = payload.get("title") or self.title(target) or "Untitled"
            href = self.link(target)
            return f"{pad}[{title}]({href})" if href else f"{pad}{title}"
        if kind == "table":
            return self.table(block, pad)
        if kind in ("synced_block", "column_list", "column", "template"):
            return self.children(block, depth)
        return None

    def table(self, block, pad):
        """Render a table block as a Markdown table."""
        rows = [[rich(cell, self.link).replace("|", "\\|") for cell in r["table_row"]["cells"]]
                for r in block.get("children") or [] if r.get("type") == "table_row"]
        if not rows:
            return ""
        width = max(len(r) for r in rows)
        rows = [r + [""] * (width - len(r)) for r in rows]
        lines = [f"{pad}| " + " | ".join(rows[0]) + " |", f"{pad}| " + " | ".join(["---"] * width) + " |"]
        lines += [f"{pad}| " + " | ".join(r) + " |" for r in rows[1:]]
        return "\n".join(lines)
