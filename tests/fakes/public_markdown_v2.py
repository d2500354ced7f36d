"""The Markdown endpoint's answer in Notion-flavored Markdown v2 (markdown_version=v2).

As developers.notion.com's "Migrate to Notion-flavored Markdown" describes it: blocks separated by a blank line;
children indented with tabs only under list items; a block with children, or with a colour, in its tag form
(`<p>`, `<quote>`, `<toggle>`, `<callout>`, `<h2 toggle="true">`) with its text first and its children after a
blank line; `<columns>`/`<column>` and `<synced_block>` likewise; colours as a `color` attribute; braces are
text (a `{color="..."}` suffix means nothing). Colours of list items are not modelled.
"""
from tests.fakes.public_markdown import HEADINGS, _Renderer, rich

LIST_MARKS = {"bulleted_list_item": "- ", "numbered_list_item": "1. "}


class RendererV2(_Renderer):
    """v2 rendering of the same blocks, the same record limit and `<unknown>` placeholders."""

    def add_block(self, pad, lines):
        """Append one block's lines, a blank line before it."""
        if self.lines and self.lines[-1].strip():
            self.lines.append("")
        self.lines.extend(pad + line if line else "" for line in lines)

    def block(self, object_id, depth):
        store, pad = self.store, "\t" * depth
        obj = store.objects[object_id]
        placeholder = self.cut_off(object_id)
        if placeholder:
            self.add_block(pad, [placeholder])
            return
        if obj["object"] in ("page", "database"):
            tag = obj["object"]
            title = rich(store, [{"type": "text", "plain_text": store.title_of(object_id)}], braces=False)
            self.add_block(pad, [f'<{tag} url="{store.url_of(object_id)}">{title}</{tag}>'])
            return
        kind = obj["type"]
        payload = obj[kind]
        if kind in ("paragraph", "quote", "toggle", "callout") or kind in HEADINGS \
                or kind in LIST_MARKS or kind == "to_do":
            self._text_block(kind, payload, object_id, depth, pad)
        elif kind in ("synced_block", "column_list", "column"):
            tag = {"synced_block": "synced_block", "column_list": "columns", "column": "column"}[kind]
            self.add_block(pad, [f"<{tag}>"])
            self.lines.append("")
            self.children(object_id, depth)
            self.lines.append(f"{pad}</{tag}>")
        else:  # code, equation, divider, media, embeds, links, tables: as in v1, one block each
            before = len(self.lines)
            self._render(kind, payload, "", "", object_id, depth, pad)
            added = self.lines[before:]
            del self.lines[before:]
            self.add_block("", added)

    def _text_block(self, kind, payload, object_id, depth, pad):
        store = self.store
        text = rich(store, payload.get("rich_text"), braces=False)
        kids = store.live_children(object_id)
        color = payload.get("color", "default")
        if kind in LIST_MARKS or kind == "to_do":
            mark = LIST_MARKS.get(kind) or ("- [x] " if payload.get("checked") else "- [ ] ")
            self.add_block(pad, [mark + text])
            self.children(object_id, depth + 1)
            return
        toggle = kind in HEADINGS and payload.get("is_toggleable")
        tag = {"paragraph": "p", "quote": "quote", "toggle": "toggle", "callout": "callout"}.get(kind) \
            or "h" + kind[-1]
        attrs = ""
        if kind == "callout":
            attrs += f' icon="{(payload.get("icon") or {}).get("emoji", "")}"'
        if toggle:
            attrs += ' toggle="true"'
        if color != "default":
            attrs += f' color="{color}"'
        if not kids and not attrs and kind not in ("toggle",):
            plain = {"paragraph": text or "<empty-block/>", "quote": f"> {text}"}.get(kind)
            self.add_block(pad, [plain or f"{HEADINGS[kind]} {text}"])
            return
        if not kids and kind in ("paragraph", "quote") or kind in HEADINGS and not toggle:
            self.add_block(pad, [f"<{tag}{attrs}>{text}</{tag}>"])
            self.children(object_id, depth)
            return
        self.add_block(pad, [f"<{tag}{attrs}>", text])
        if kids:
            self.lines.append("")
            self.children(object_id, depth)
        self.lines.append(f"{pad}</{tag}>")
