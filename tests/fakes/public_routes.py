"""Route handlers of the public-API stand-in: /v1/ endpoints over the in-memory Store."""
import re
import uuid

from tests.fakes.public_store import dashed, read_rich_text
from tests.fakes.public_writes import ApiError, insert_blocks, invalid, property_value, validate_append
from tests.fakes.public_schema import create_data_source, create_page, update_data_source, update_page
from tests.fakes.public_versions import person_value, shape_page

ROUTES = []


def route(method, pattern):
    """Register a handler for a method and a path pattern under /v1/."""
    def register(fn):
        ROUTES.append((method, re.compile(f"^/v1/{pattern}$"), fn))
        return fn
    return register


def not_found(object_id):
    """Raise the object_not_found error Notion gives for missing and unshared objects alike."""
    raise ApiError(404, "object_not_found", f"Could not find object with ID: {object_id}. "
                   "Make sure the relevant pages and databases are shared with your integration.")


def visible(fake, object_id, kinds):
    """Return the stored id of an accessible object of one of `kinds`, else raise 404."""
    obj = fake.store.get(object_id)
    if obj is None or obj["object"] not in kinds or not fake.store.accessible(obj["id"]) \
            or obj["id"] in fake.faults.vanished:
        not_found(object_id)
    return obj["id"]


def paginate(fake, items, params, kind):
    """Return one page of a list response with an opaque cursor."""
    try:
        size = int(params.get("page_size", 100))
    except (TypeError, ValueError):
        size = 0
    if not 1 <= size <= 100:
        invalid("page_size", "a number between 1 and 100", params.get("page_size"))
    cursor = params.get("start_cursor")
    start = 0
    if cursor:
        if cursor not in fake.cursors:
            invalid("start_cursor", "a valid cursor", cursor)
        start = fake.cursors[cursor]
    step = min(size, fake.faults.short_pages) if fake.faults.short_pages else size
    end = start + step
    more = end < len(items)
    token = None
    if more:
        token = uuid.uuid4().hex
        fake.cursors[token] = end
    return {"object": "list", "results": items[start:end], "next_cursor": token, "has_more": more,
            "type": kind, kind: {}}


def as_block(fake, cid):
    """Return a child as a block: pages and databases appear as child_page / child_database."""
    store = fake.store
    obj = store.objects[cid]
    if obj["object"] == "block":
        return store.render(cid, fake.faults.file_ttl)
    kind = "child_page" if obj["object"] == "page" else "child_database"
    block = {key: obj[key] for key in ("id", "parent", "created_time", "last_edited_time", "created_by",
                                         "last_edited_by", "archived", "in_trash")}
    block.update(object="block", type=kind, has_children=kind == "child_page" and bool(store.live_children(cid)))
    block[kind] = {"title": store.title_of(cid)}
    return block


@route("POST", "search")
def search(fake, match, params, body):
    store = fake.store
    flt = (body.get("filter") or {})
    if flt and (flt.get("property") != "object" or flt.get("value") not in ("page", "data_source")):
        invalid("body.filter.value", "`page` or `data_source`", flt.get("value"))
    query = (body.get("query") or "").lower()
    results = []
    for oid, obj in list(store.objects.items()):
        if obj["object"] not in ("page", "data_source") or oid in store.hidden_from_search:
            continue
        if flt and obj["object"] != flt["value"]:
            continue
        if not store.accessible(oid) or (query and query not in store.title_of(oid).lower()):
            continue
        results.append(shape_page(fake, store.render(oid, fake.faults.file_ttl), params, listed=True))
    return paginate(fake, results, body, "page_or_data_source")


@route("GET", "pages/([^/]+)")
def get_page(fake, match, params, body):
    page = fake.store.render(visible(fake, match[1], ("page",)), fake.faults.file_ttl)
    return shape_page(fake, page, params, listed=False)


@route("POST", "pages")
def post_page(fake, match, params, body):
    return fake.store.render(create_page(fake, body), fake.faults.file_ttl)


@route("PATCH", "pages/([^/]+)")
def patch_page(fake, match, params, body):
    pid = visible(fake, match[1], ("page",))
    update_page(fake, pid, body)
    return fake.store.render(pid, fake.faults.file_ttl)


@route("GET", "pages/([^/]+)/properties/([^/]+)")
def get_property(fake, match, params, body):
    from urllib.parse import unquote
    page = fake.store.objects[visible(fake, match[1], ("page",))]
    prop_id = unquote(match[2])
    prop = next((p for p in page["properties"].values() if p["id"] == prop_id), None)
    if prop is None:
        not_found(prop_id)
    kind = prop["type"]
    if kind not in ("title", "rich_text", "relation", "people"):
        return dict(fake.store.render(page["id"], fake.faults.file_ttl, cap=False)["properties"][
            next(n for n, p in page["properties"].items() if p["id"] == prop_id)], object="property_item")
    values = [person_value(fake, v) for v in prop[kind]] if kind == "people" else prop[kind]
    items = [{"object": "property_item", "id": prop_id, "type": kind, kind: value} for value in values]
    out = paginate(fake, items, params, "property_item")
    out["property_item"] = {"id": prop_id, "next_url": None, "type": kind, kind: {}}
    return out


@route("GET", "blocks/([^/]+)")
def get_block(fake, match, params, body):
    return as_block(fake, visible(fake, match[1], ("block", "page", "database")))


@route("GET", "blocks/([^/]+)/children")
def list_children(fake, match, params, body):
    bid = visible(fake, match[1], ("block", "page"))
    items = [as_block(fake, c) for c in fake.store.live_children(bid)]
    return paginate(fake, items, params, "block")


@route("PATCH", "blocks/([^/]+)/children")
def append_children(fake, match, params, body):
    bid = visible(fake, match[1], ("block", "page"))
    extra = set(body) - {"children", "after", "position"}
    if extra:
        invalid(f"body.{sorted(extra)[0]}", "not present", "present")
    children = body.get("children")
    validate_append(children, fake.store)
    kind = "page_id" if fake.store.objects[bid]["object"] == "page" else "block_id"
    after = dashed(body.get("after")) if body.get("after") else None
    created = insert_blocks(fake.store, bid, {"type": kind, kind: bid}, children, after)
    return {"object": "list", "results": [as_block(fake, c) for c in created], "next_cursor": None,
            "has_more": False, "type": "block", "block": {}}


@route("PATCH", "blocks/([^/]+)")
def update_block(fake, match, params, body):
    bid = visible(fake, match[1], ("block",))
    block = fake.store.objects[bid]
    kind = block["type"]
    if body.get("in_trash") or body.get("archived"):
        block["in_trash"] = block["archived"] = True
    if kind in body:
        validate_append([{kind: body[kind]}], fake.store, "body")
        for key, value in body[kind].items():
            if key == "cells":
                value = [read_rich_text(cell, fake.store) for cell in value]
            block[kind][key] = read_rich_text(value, fake.store) if key in ("rich_text", "caption") else value
        if kind == "link_to_page":
            ref = block[kind].get("type", "page_id")
            block[kind][ref] = dashed(block[kind][ref])
    block["last_edited_time"] = fake.store.now()
    fake.store.touch(bid)
    return as_block(fake, bid)


@route("DELETE", "blocks/([^/]+)")
def delete_block(fake, match, params, body):
    bid = visible(fake, match[1], ("block", "page", "database"))
    obj = fake.store.objects[bid]
    obj["in_trash"] = obj["archived"] = True
    fake.store.touch(fake.store.parent_of(bid))
    return as_block(fake, bid)


@route("GET", "databases/([^/]+)")
def get_database(fake, match, params, body):
    return fake.store.render(visible(fake, match[1], ("database",)), fake.faults.file_ttl)


@route("POST", "databases")
def post_database(fake, match, params, body):
    from tests.fakes.public_schema import create_database
    return fake.store.render(create_database(fake, body), fake.faults.file_ttl)


@route("GET", "data_sources/([^/]+)")
def get_data_source(fake, match, params, body):
    return fake.store.render(visible(fake, match[1], ("data_source",)), fake.faults.file_ttl)


@route("POST", "data_sources")
def post_data_source(fake, match, params, body):
    return fake.store.render(create_data_source(fake, body), fake.faults.file_ttl)


@route("PATCH", "data_sources/([^/]+)")
def patch_data_source(fake, match, params, body):
    dsid = visible(fake, match[1], ("data_source",))
    update_data_source(fake, dsid, body)
    return fake.store.render(dsid, fake.faults.file_ttl)


@route("POST", "data_sources/([^/]+)/query")
def query_data_source(fake, match, params, body):
    dsid = visible(fake, match[1], ("data_source",))
    rows = [shape_page(fake, fake.store.render(r, fake.faults.file_ttl), params, listed=True)
            for r in fake.store.live_children(dsid)]
    return paginate(fake, rows, body, "page_or_data_source")


def dispatch(fake, method, path, params, body):
    """Find and run the handler for a request; raise ApiError for unknown paths."""
    for verb, pattern, fn in ROUTES:
        match = pattern.match(path)
        if match and verb == method:
            with fake.store.lock:
                return fn(fake, match, params, body)
    raise ApiError(400, "invalid_request_url", "Invalid request URL.")


# Comments, users, file uploads and the Markdown endpoint live in their own modules; importing them registers them.
from tests.fakes import public_markdown, public_routes_more, public_views  # noqa: E402,F401

__all__ = ["dispatch", "property_value", "visible", "not_found", "paginate"]
