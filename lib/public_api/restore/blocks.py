"""Read shape to write shape for a restore: whitelisted block fields, split rich text, remapped ids."""
import re

TEXT = {"paragraph", "heading_1", "heading_2", "heading_3", "bulleted_list_item", "numbered_list_item",
        "to_do", "toggle", "quote", "callout"}
MEDIA = {"image", "file", "pdf", "video", "audio"}
ANNOTATIONS = ("bold", "italic", "strikethrough", "underline", "code", "color")
RICH_MAX, ITEMS_MAX = 2000, 100
ID = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}")
COMPUTED = {"formula", "rollup", "created_time", "created_by", "last_edited_time", "last_edited_by",
            "unique_id", "button", "verification"}
SIMPLE_SCHEMA = {"title", "rich_text", "number", "select", "multi_select", "date", "people", "files",
                 "checkbox", "url", "email", "phone_number", "created_time", "created_by",
                 "last_edited_time", "last_edited_by", "formula", "unique_id"}


def chunks(text, size):
    """Split a string into pieces of at most `size` characters."""
    return [text[i:i + size] for i in range(0, len(text), size)] or [""]


class Converter:
    """Converts captured objects to write shape using the old→new id map; notes losses."""

    def __init__(self, ids, snapshot_ids, root_id, loss, uploader, live=None):
        self.ids, self.snapshot, self.root_id = ids, snapshot_ids, root_id
        self.loss, self.uploader = loss, uploader
        # A restore of one page's subtree: `live(old)` says whether a captured object left out of it still
        # exists in the workspace, so links to it point at it.
        self.live = live
        self.unresolved = False

    def new_id(self, old):
        """Return the new id of an old one: mapped, unresolved (placeholder needed) or kept."""
        if old in self.ids:
            return self.ids[old]
        if old in self.snapshot or (self.live is not None and not self.live(old)):
            self.unresolved = True
            return None
        return old

    def url(self, url):
        """Rewrite Notion links that name a restored object to its new id."""
        def swap(match):
            old = match.group(0)
            key = old if "-" in old else f"{old[:8]}-{old[8:12]}-{old[12:16]}-{old[16:20]}-{old[20:]}"
            new = self.ids.get(key)
            return (new if "-" in old else new.replace("-", "")) if new else old
        return ID.sub(swap, url) if url and "notion" in url else url

    def rich(self, items):
        """Return rich text in write shape with runs over 2,000 characters split."""
        out = []
        for item in items or []:
            ann = {k: v for k, v in (item.get("annotations") or {}).items()
                   if k in ANNOTATIONS and v not in (False, "default", None)}
            extra = {"annotations": ann} if ann else {}
            kind = item.get("type")
            if kind == "equation":
                out.append(dict({"type": "equation", "equation": {"expression": item["equation"]["expression"]}}, **extra))
                continue
            if kind == "mention":
                mention = item["mention"]
                mkind = mention.get("type")
                if mkind in ("page", "database"):
                    new = self.new_id(mention[mkind]["id"])
                    if new:
                        out.append(dict({"type": "mention", "mention": {mkind: {"id": new}}}, **extra))
                        continue
                elif mkind in ("user", "date"):
                    out.append(dict({"type": "mention", "mention": {mkind: mention[mkind]}}, **extra))
                    continue
                content, url = item.get("plain_text", ""), item.get("href")
            else:
                content = item.get("text", {}).get("content", item.get("plain_text", ""))
                url = (item.get("text", {}).get("link") or {}).get("url")
            for piece in chunks(content, RICH_MAX):
                run = {"type": "text", "text": {"content": piece}}
                if url:
                    run["text"]["link"] = {"url": self.url(url)}
                out.append(dict(run, **extra))
        return out

    def media(self, kind, payload, where):
        """Return a media payload: external links kept, hosted files uploaded, else None."""
        out = {"caption": self.rich(payload.get("caption"))} if payload.get("caption") else {}
        if payload.get("type") == "external":
            out.update(type="external", external={"url": payload["external"]["url"]})
            return out
        stored = payload.get("backup_file")
        upload = self.uploader(stored) if stored else None
        if upload:
            out.update(type="file_upload", file_upload={"id": upload})
            if payload.get("name") and kind != "image":
                out["name"] = payload["name"]
            return out
        self.loss("media", where, f"{kind} hosted by Notion could not be uploaded"
                  + ("" if stored else " (not in the backup)"))
        return None

    def block(self, block, where):
        """Return [(write block without children, old block, old children)] for one captured block."""
        kind = block.get("type")
        payload = block.get(kind) or {}
        kids = block.get("children") or []
        self.unresolved = False
        self.where_now = where
        if kind in ("column_list", "column"):
            if kind == "column_list":
                self.loss("layout", where, "columns restored one after another (column layout not recreated)")
            return [item for child in kids for item in self.block(child, where)]
        if kind in TEXT:
            return self.text_block(kind, payload, block, kids)
        if kind == "code":
            out = {"rich_text": self.rich(payload.get("rich_text")), "language": payload.get("language") or "plain text"}
            if payload.get("caption"):
                out["caption"] = self.rich(payload["caption"])
        elif kind == "equation":
            out = {"expression": payload.get("expression", "")}
        elif kind in ("divider", "breadcrumb"):
            out = {}
        elif kind == "table_of_contents":
            out = {"color": payload.get("color", "default")}
        elif kind in ("bookmark", "embed"):
            out = {"url": payload.get("url", "")}
            if payload.get("caption"):
                out["caption"] = self.rich(payload["caption"])
        elif kind in MEDIA:
            out = self.media(kind, payload, where)
            if out is None:
                return []
        elif kind == "table":
            out = {k: payload.get(k) for k in ("table_width", "has_column_header", "has_row_header")}
        elif kind == "table_row":
            out = {"cells": [self.rich(cell) for cell in payload.get("cells", [])]}
        elif kind == "link_to_page":
            ref = payload.get("type", "page_id")
            new = self.new_id(payload.get(ref))
            out = {"type": "page_id", "page_id": new or self.root_id} if ref == "page_id" or not new else {"type": ref, ref: new}
        elif kind == "synced_block":
            source = (payload.get("synced_from") or {}).get("block_id")
            if source and source in self.ids:
                return [({"type": kind, kind: {"synced_from": {"block_id": self.ids[source]}}}, block, [])]
            if source:
                self.loss("synced_block", where, "synced copy restored as an independent original "
                          "(its original was not restored before it)")
            out = {"synced_from": None}
        else:
            self.loss("block", where, f"block type '{kind}' cannot be created through the API")
            return []
        return [({"type": kind, kind: out}, block, kids)]

    def text_block(self, kind, payload, block, kids):
        """Convert a text-bearing block; more than 100 runs continue in extra paragraphs."""
        out = {k: payload[k] for k in ("color", "is_toggleable", "checked") if k in payload}
        if kind == "callout" and (payload.get("icon") or {}).get("type") in ("emoji", "external"):
            out["icon"] = payload["icon"] if payload["icon"]["type"] == "emoji" else {
                "type": "external", "external": {"url": payload["icon"]["external"]["url"]}}
        text = self.rich(payload.get("rich_text"))
        parts = [text[i:i + ITEMS_MAX] for i in range(0, len(text), ITEMS_MAX)] or [[]]
        first = dict(out, rich_text=parts[0])
        result = [({"type": kind, kind: first}, block, kids)]
        # Over 100 runs: the rest continues in plain paragraphs right after.
        if len(parts) > 1:
            self.loss("text", self.where_now, f"a {kind} with {len(text)} rich-text runs was split into "
                      f"{len(parts)} blocks (API limit: 100 runs per block)")
        result += [({"type": "paragraph", "paragraph": {"rich_text": part}}, None, []) for part in parts[1:]]
        return result

    def schema(self, properties, where):
        """Return (properties creatable now, properties to add once every data source exists)."""
        now, later = {}, {}
        for name, prop in properties.items():
            kind = prop["type"]
            config = prop.get(kind) or {}
            if kind in SIMPLE_SCHEMA:
                if kind in ("select", "multi_select"):
                    config = {"options": [{"name": o["name"], "color": o.get("color", "default")}
                                          for o in config.get("options", [])]}
                elif kind == "formula":
                    config = {"expression": config.get("expression", "")}
                elif kind == "number":
                    config = {"format": config.get("format", "number")}
                elif kind == "unique_id":
                    config = {"prefix": config.get("prefix")}
                else:
                    config = {}
                now[name] = {kind: config}
            elif kind == "status":
                now[name] = {"select": {"options": [{"name": o["name"], "color": o.get("color", "default")}
                                                    for o in config.get("options", [])]}}
                self.loss("property", where, f"status property '{name}' recreated as a select")
            elif kind in ("relation", "rollup"):
                later[name] = prop
            else:
                self.loss("property", where, f"property '{name}' of type '{kind}' cannot be created through the API")
        return now, later

    def values(self, properties, writable, where):
        """Return writable property values (relations excluded: they are set after every row exists)."""
        out = {}
        for name, prop in properties.items():
            kind = prop.get("type")
            if name not in writable or kind in COMPUTED or kind == "relation":
                continue
            value = prop.get(kind)
            if kind in ("title", "rich_text"):
                value = self.rich(value)[:ITEMS_MAX]
            elif kind in ("select", "status"):
                kind, value = "select", ({"name": value["name"]} if value else None)
            elif kind == "multi_select":
                value = [{"name": o["name"]} for o in value or []]
            elif kind == "people":
                value = [{"id": p["id"]} for p in value or []]
            elif kind == "date" and value:
                value = {k: value[k] for k in ("start", "end", "time_zone") if value.get(k)}
            elif kind == "files":
                value = [f for f in (self.file_value(f, where) for f in value or []) if f]
            if value is None and kind in ("select", "date"):
                continue
            out[name] = {kind: value}
        return out

    def file_value(self, fobj, where):
        """Return a files-property entry in write shape (None when the file cannot be restored)."""
        name = fobj.get("name") or "file"
        if fobj.get("type") == "external":
            return {"name": name, "type": "external", "external": {"url": fobj["external"]["url"]}}
        upload = self.uploader(fobj["backup_file"]) if fobj.get("backup_file") else None
        if upload:
            return {"name": name, "type": "file_upload", "file_upload": {"id": upload}}
        self.loss("media", where, f"file '{name}' in a files property could not be uploaded")
        return None
