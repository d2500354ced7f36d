"""Write validation of the public-API stand-in: stricter than Notion, so clients must send write shapes."""
from tests.fakes.public_store import dashed, read_rich_text

MAX_CHILDREN = 100
TEXT = {"rich_text", "color", "children"}
BLOCK_KEYS = {
    "paragraph": TEXT, "bulleted_list_item": TEXT, "numbered_list_item": TEXT, "toggle": TEXT,
    "quote": TEXT, "heading_1": TEXT | {"is_toggleable"}, "heading_2": TEXT | {"is_toggleable"},
    "heading_3": TEXT | {"is_toggleable"}, "to_do": TEXT | {"checked"}, "callout": TEXT | {"icon"},
    "code": {"rich_text", "caption", "language"}, "divider": set(), "breadcrumb": set(),
    "table_of_contents": {"color"}, "equation": {"expression"},
    "bookmark": {"url", "caption"}, "embed": {"url", "caption"},
    "link_to_page": {"type", "page_id", "database_id"}, "synced_block": {"synced_from", "children"},
    "table": {"table_width", "has_column_header", "has_row_header", "children"}, "table_row": {"cells"},
    "column_list": {"children"}, "column": {"children", "width_ratio"},
}
MEDIA = {"image", "file", "pdf", "video", "audio"}
for _media in MEDIA:
    BLOCK_KEYS[_media] = {"type", "external", "file_upload", "caption", "name"}
READ_ONLY_PROPS = {"formula", "rollup", "created_time", "last_edited_time", "created_by",
                   "last_edited_by", "unique_id", "button", "verification"}


class ApiError(Exception):
    """An error reply of the stand-in: HTTP status, Notion code, message."""

    def __init__(self, status, code, message, headers=None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


def invalid(path, expected, got):
    """Raise a validation_error worded like Notion's."""
    raise ApiError(400, "validation_error", f"body failed validation: {path} should be {expected}, instead was `{got}`.")


def check_rich_text(items, path):
    """Validate a rich-text array as written."""
    if not isinstance(items, list):
        invalid(path, "an array", type(items).__name__)
    if len(items) > 100:
        invalid(f"{path}.length", "≤ `100`", len(items))
    for i, item in enumerate(items):
        here = f"{path}[{i}]"
        extra = set(item) - {"type", "text", "mention", "equation", "annotations"}
        if extra:
            invalid(f"{here}.{sorted(extra)[0]}", "not present", "present")
        if "text" in item:
            content = item["text"].get("content")
            if not isinstance(content, str):
                invalid(f"{here}.text.content", "a string", content)
            if len(content) > 2000:
                invalid(f"{here}.text.content.length", "≤ `2000`", len(content))
            link = item["text"].get("link")
            if link and len(link.get("url") or "") > 2000:
                invalid(f"{here}.text.link.url.length", "≤ `2000`", len(link["url"]))
        if "equation" in item and len(item["equation"].get("expression", "")) > 1000:
            invalid(f"{here}.equation.expression.length", "≤ `1000`", len(item["equation"]["expression"]))


def check_children(children, path, depth, store, counter):
    """Validate a children array: size, nesting depth, block keys, write-only shapes."""
    if len(children) > MAX_CHILDREN:
        invalid(f"{path}.length", f"≤ `{MAX_CHILDREN}`", len(children))
    for i, block in enumerate(children):
        counter[0] += 1
        here = f"{path}[{i}]"
        kind = block.get("type") or next((k for k in block if k in BLOCK_KEYS), None)
        if kind not in BLOCK_KEYS:
            invalid(here, "a supported block type", kind or "none")
        extra = set(block) - {"object", "type", kind}
        if extra:
            invalid(f"{here}.{sorted(extra)[0]}", "not present", "present")
        payload = block[kind]
        if not isinstance(payload, dict):
            invalid(f"{here}.{kind}", "an object", payload)
        for key, value in payload.items():
            if value is None and key != "synced_from":
                invalid(f"{here}.{kind}.{key}", "an object or undefined", "null")
            if key not in BLOCK_KEYS[kind]:
                invalid(f"{here}.{kind}.{key}", "not present", "present")
        for key in ("rich_text", "caption"):
            if key in payload:
                check_rich_text(payload[key], f"{here}.{kind}.{key}")
        if kind in MEDIA and payload.get("type") == "file":
            invalid(f"{here}.{kind}.type", "`external` or `file_upload`", "file")
        faults = getattr(store, "faults", None)
        if kind == "embed" and faults is not None and faults.refuse_embeds:
            invalid(f"{here}.embed.url", "a URL from a supported embed provider", payload.get("url"))
        if kind in ("bookmark", "embed") and len(payload.get("url", "")) > 2000:
            invalid(f"{here}.{kind}.url.length", "≤ `2000`", len(payload["url"]))
        if kind == "synced_block" and payload.get("synced_from"):
            target = store.get(payload["synced_from"].get("block_id"))
            if not target or target.get("type") != "synced_block" or target["synced_block"]["synced_from"]:
                invalid(f"{here}.synced_block.synced_from.block_id", "an original synced block", "unknown")
        if kind == "link_to_page":
            target = payload.get(payload.get("type") or "page_id")
            if not store.accessible(target):
                raise ApiError(404, "object_not_found", f"Could not find page with ID: {target}.")
        kids = payload.get("children") or []
        if kids and depth >= 2:
            invalid(f"{here}.{kind}.children", "undefined (at most two levels of nesting)", "present")
        if kids:
            check_children(kids, f"{here}.{kind}.children", depth + 1, store, counter)


def validate_append(children, store, path="body.children"):
    """Validate a whole append or create payload, including the 1000-element cap."""
    if not isinstance(children, list):
        invalid(path, "an array", type(children).__name__)
    counter = [0]
    check_children(children, path, 1, store, counter)
    if counter[0] > 1000:
        invalid(f"{path}", "at most 1000 block elements", counter[0])


def insert_blocks(store, container_id, parent, children, after=None):
    """Create validated blocks (recursively) under a page or block; return first-level ids."""
    created = []
    for block in children:
        kind = block.get("type") or next(k for k in block if k in BLOCK_KEYS)
        payload = {k: v for k, v in block[kind].items() if k != "children"}
        for key in ("rich_text", "caption"):
            if key in payload:
                payload[key] = read_rich_text(payload[key], store)
        if kind == "table_row":
            payload["cells"] = [read_rich_text(cell, store) for cell in payload.get("cells", [])]
        if kind.startswith("heading_"):
            payload.setdefault("is_toggleable", False)
        if "color" in BLOCK_KEYS[kind]:
            payload.setdefault("color", "default")
        if kind == "synced_block":
            payload.setdefault("synced_from", None)
            if payload["synced_from"]:
                payload["synced_from"] = {"type": "block_id", "block_id": dashed(payload["synced_from"]["block_id"])}
        if kind == "link_to_page":
            ref = payload.get("type") or "page_id"
            payload = {"type": ref, ref: dashed(payload[ref])}
        if kind in MEDIA:
            payload = store.attach_upload(payload)
        new_id = store.new_id()
        obj = store.stamp({"object": "block", "id": new_id, "parent": parent, "type": kind, kind: payload})
        store.objects[new_id] = obj
        store.add_child(container_id, new_id, after)
        after = new_id if after else None
        created.append(new_id)
        kids = block[kind].get("children") or []
        if kids:
            insert_blocks(store, new_id, {"type": "block_id", "block_id": new_id}, kids)
    store.touch(container_id)
    return created


def property_value(store, name, value, schema, path):
    """Turn one property value as written into its read shape, validating against the schema."""
    kind = schema["type"]
    if kind in READ_ONLY_PROPS:
        invalid(path, "not present (property is read-only)", kind)
    if kind not in value:
        invalid(path, f"an object with `{kind}`", sorted(value))
    raw = value[kind]
    out = {"id": schema["id"], "type": kind}
    if kind in ("title", "rich_text"):
        check_rich_text(raw, f"{path}.{kind}")
        raw = read_rich_text(raw, store)
    elif kind == "relation":
        if len(raw) > 100:
            invalid(f"{path}.relation.length", "≤ `100`", len(raw))
        target_ds = schema["relation"]["data_source_id"]
        for ref in raw:
            page = store.get(ref.get("id"))
            if not page or page["object"] != "page" or page["parent"].get("data_source_id") != target_ds:
                invalid(f"{path}.relation", f"pages of data source {target_ds}", ref.get("id"))
        raw = [{"id": dashed(r["id"])} for r in raw]
    elif kind == "people":
        for person in raw:
            if dashed(person.get("id")) not in store.users:
                invalid(f"{path}.people", "users of this workspace", person.get("id"))
        raw = [{"object": "user", "id": dashed(p["id"])} for p in raw]
    elif kind == "select" and raw:
        raw = store.option(schema, raw)
    elif kind == "multi_select":
        raw = [store.option(schema, o) for o in raw]
    elif kind == "files":
        raw = [store.attach_upload(dict(f)) for f in raw]
    out[kind] = raw
    return out
