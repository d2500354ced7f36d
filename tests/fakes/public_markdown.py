"""GET /v1/pages/{id}/markdown of the public-API stand-in: the page as Notion's enhanced Markdown, truncated.

The format follows developers.notion.com's "Enhanced markdown format": one block per line, children one tab
deeper, XML-like tags for what Markdown lacks (`<page>`, `<database>`, `<details>`, `::: callout`, `<table>`,
`<columns>`, `<synced_block>`, `<mention-page>`, `<file>`, `<unknown>`), `{color=...}` attribute lists, and
backslash escapes in text. Past `faults.markdown_record_limit` rendered blocks, every further block becomes
`<unknown url=... alt=.../>` and its id is listed in `unknown_block_ids`; asking for that id renders its subtree.
"""
from tests.fakes.public_routes import route, visible
from tests.fakes.public_writes import ApiError

ESCAPE = {c: "\\" + c for c in "\\*~`$[]<>{}|^"}
HEADINGS = {"heading_1": "#", "heading_2": "##", "heading_3": "###"}
LIST_MARKS = {"bulleted_list_item": "- ", "numbered_list_item": "1. ", "quote": "> "}
MEDIA = ("image", "file", "pdf", "video", "audio")


def escape(text, braces=True):
    """Backslash the characters enhanced Markdown reserves (v2 keeps braces as they are: text there)."""
    return "".join(c if c in "{}" and not braces else ESCAPE.get(c, c) for c in text)


def rich(store, items, braces=True):
    """Rich text (read shape) as enhanced Markdown."""
    out = []
    for item in items or []:
        kind = item["type"]
        if kind == "equation":
            out.append(f"${item['equation']['expression']}$")
            continue
        if kind == "mention":
            mention = item["mention"]
            target = mention.get(mention["type"]) or {}
            if mention["type"] in ("page", "database"):
                url = store.url_of(target["id"])
                out.append(f'<mention-{mention["type"]} url="{url}">{escape(item["plain_text"])}</mention-{mention["type"]}>')
            elif mention["type"] == "user":
                out.append(f'<mention-user url="user://{target["id"]}"/>')
            else:
                out.append(escape(item["plain_text"]))
            continue
        notes = item.get("annotations") or {}
        text = item["plain_text"] if notes.get("code") else escape(item["plain_text"], braces)  # code is literal
        for key, mark in (("code", "`"), ("bold", "**"), ("italic", "*"), ("strikethrough", "~~")):
            if notes.get(key) and text.strip():
                text = f"{mark}{text}{mark}"
        if notes.get("underline"):
            text = f'<span underline="true">{text}</span>'
        if notes.get("color", "default") != "default":
            text = f'<span color="{notes["color"]}">{text}</span>'
        out.append(f"[{text}]({item['href']})" if item.get("href") else text)
    return "".join(out)


class _Renderer:
    """One answer of the endpoint: blocks rendered until the record limit, then `<unknown>` placeholders."""

    def __init__(self, fake, page_id):
        self.fake, self.store, self.page_id = fake, fake.store, page_id
        self.left = fake.faults.markdown_record_limit or float("inf")
        self.lines, self.unknown = [], []

    def children(self, container, depth):
        for child in self.store.live_children(container):
            self.block(child, depth)

    def cut_off(self, object_id):
        """Past the record limit: the `<unknown>` placeholder of a block (listed in unknown_block_ids), else None."""
        if self.left > 0:
            self.left -= 1
            return None
        self.unknown.append(object_id)
        obj = self.store.objects[object_id]
        return (f'<unknown url="{self.store.url_of(self.page_id)}#{object_id.replace("-", "")}" '
                f'alt="{obj.get("type") or obj["object"]}"/>')

    def block(self, object_id, depth):
        store, pad = self.store, "\t" * depth
        obj = store.objects[object_id]
        placeholder = self.cut_off(object_id)
        if placeholder:
            self.lines.append(pad + placeholder)
            return
        if obj["object"] in ("page", "database"):
            tag = obj["object"]
            self.lines.append(f'{pad}<{tag} url="{store.url_of(object_id)}">{escape(store.title_of(object_id))}</{tag}>')
            return
        kind = obj["type"]
        payload = obj[kind]
        text = rich(store, payload.get("rich_text"))
        color = payload.get("color", "default")
        attrs = f' {{color="{color}"}}' if color != "default" else ""
        self._render(kind, payload, text, attrs, object_id, depth, pad)

    def _render(self, kind, payload, text, attrs, object_id, depth, pad):
        store, add = self.store, self.lines.append
        if kind == "paragraph":
            add(pad + (text + attrs if text else "<empty-block/>"))
            self.children(object_id, depth + 1)
        elif kind in HEADINGS:
            toggle = ' {toggle="true"}' if payload.get("is_toggleable") else attrs
            add(f"{pad}{HEADINGS[kind]} {text}{toggle}")
            self.children(object_id, depth + 1)
        elif kind in LIST_MARKS or kind == "to_do":
            mark = LIST_MARKS.get(kind) or ("- [x] " if payload.get("checked") else "- [ ] ")
            add(f"{pad}{mark}{text}{attrs}")
            self.children(object_id, depth + 1)
        elif kind == "toggle":
            add(f"{pad}<details>")
            add(f"{pad}<summary>{text}</summary>")
            self.children(object_id, depth + 1)
            add(f"{pad}</details>")
        elif kind == "callout":
            icon = (payload.get("icon") or {}).get("emoji", "")
            add(f'{pad}::: callout {{icon="{icon}"}}')
            add(pad + text)
            self.children(object_id, depth)
            add(f"{pad}:::")
        elif kind == "code":
            add(f"{pad}```{payload.get('language') or ''}")
            self.lines += [pad + line for line in "".join(t["plain_text"] for t in payload["rich_text"]).split("\n")]
            add(f"{pad}```")
        elif kind == "equation":
            self.lines += [f"{pad}$$", pad + payload["expression"], f"{pad}$$"]
        elif kind == "divider":
            add(f"{pad}---")
        elif kind in MEDIA:
            url = (store.render_file(payload, self.fake.faults.file_ttl).get(payload["type"]) or {}).get("url", "")
            caption = rich(store, payload.get("caption"))
            add(f"{pad}![{caption}]({url})" if kind == "image" else f'{pad}<{kind} src="{url}">{caption}</{kind}>')
        elif kind in ("embed", "bookmark"):
            add(f'{pad}<{kind} src="{payload["url"]}">{rich(store, payload.get("caption"))}</{kind}>')
        elif kind == "link_to_page":
            target = payload[payload["type"]]
            add(f'{pad}<page url="{store.url_of(target)}">{escape(store.title_of(target))}</page>')
        elif kind == "table":
            add(f'{pad}<table header-row="{str(payload.get("has_column_header", False)).lower()}">')
            for row in store.live_children(object_id):
                cells = "".join(f"<td>{rich(store, cell)}</td>" for cell in store.objects[row]["table_row"]["cells"])
                add(f"{pad}<tr>{cells}</tr>")
            add(f"{pad}</table>")
        elif kind in ("synced_block", "column_list", "column"):
            tag = {"synced_block": "synced_block", "column_list": "columns", "column": "column"}[kind]
            add(f'{pad}<{tag}>')
            self.children(object_id, depth + 1)
            add(f"{pad}</{tag}>")
        else:  # what the API cannot show; not listed in unknown_block_ids, fetching it gives nothing more
            add(f'{pad}<unknown url="{store.url_of(self.page_id)}#{object_id.replace("-", "")}" alt="{kind}"/>')


@route("GET", "pages/([^/]+)/markdown")
def page_markdown(fake, match, params, body):
    from tests.fakes.public_markdown_v2 import RendererV2
    from tests.fakes.public_versions import markdown_version
    if fake.faults.markdown_unavailable:
        raise ApiError(400, "invalid_request_url", "Invalid request URL.")
    version = markdown_version(fake, params.get("markdown_version"))
    object_id = visible(fake, match[1], ("page", "block"))
    if object_id in fake.faults.markdown_broken:
        raise ApiError(400, "validation_error", "The page could not be rendered as markdown.")
    owner = fake.store.owner_page(object_id)
    renderer = (RendererV2 if version == "v2" else _Renderer)(fake, owner)
    if fake.store.objects[object_id]["object"] == "page":
        renderer.children(object_id, 0)
    else:  # a subtree named in an earlier answer's unknown_block_ids
        renderer.block(object_id, 0)
    return {"object": "page_markdown", "id": object_id, "markdown": "\n".join(renderer.lines).strip("\n"),
            "markdown_version": version, "truncated": bool(renderer.unknown), "unknown_block_ids": renderer.unknown}
