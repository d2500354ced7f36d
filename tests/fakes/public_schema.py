"""Pages, databases and data sources of the public-API stand-in: creation, updates, schemas."""
from tests.fakes.public_relations import link_dual, mirror, renamed
from tests.fakes.public_store import dashed, read_rich_text
from tests.fakes.public_writes import (ApiError, READ_ONLY_PROPS, check_rich_text, insert_blocks,
                                       invalid, property_value, validate_append)

PAGE_KEYS = {"parent", "properties", "children", "icon", "cover", "markdown", "markdown_version"}
EMPTY = {"title": [], "rich_text": [], "number": None, "select": None, "multi_select": [], "date": None,
         "checkbox": False, "url": None, "email": None, "phone_number": None, "relation": [],
         "people": [], "files": [], "status": None}


def resolve_parent(fake, parent, allowed):
    """Return (container id, read-shape parent) for a parent dict naming a visible object."""
    kind = (parent or {}).get("type") or next((k for k in ("page_id", "data_source_id", "database_id")
                                               if k in (parent or {})), None)
    if kind not in allowed:
        invalid("body.parent", f"one of {sorted(allowed)}", kind)
    store = fake.store
    obj = store.get(parent[kind])
    expected = {"page_id": "page", "data_source_id": "data_source", "database_id": "database"}[kind]
    if obj is None or not store.accessible(obj["id"]):
        raise ApiError(404, "object_not_found", f"Could not find {expected} with ID: {parent[kind]}.")
    if obj["object"] != expected:
        invalid(f"body.parent.{kind}", f"the id of a {expected}", obj["object"])
    if kind == "database_id":
        kids = store.children.get(obj["id"], [])
        obj, kind = store.objects[kids[0]], "data_source_id"
    out = {"type": kind, kind: obj["id"]}
    if kind == "data_source_id":
        out["database_id"] = obj["parent"]["database_id"]
    return obj["id"], out


def page_properties(fake, props, schema, existing=None):
    """Return read-shape properties for a page, validating each written value."""
    out = dict(existing or {})
    for name, value in (props or {}).items():
        key = name if name in schema else next((n for n, s in schema.items() if s["id"] == name), None)
        if key is None:
            invalid(f"body.properties.{name}", "a property that exists in the schema", "unknown")
        out[key] = property_value(fake.store, key, value, schema[key], f"body.properties.{name}")
    for name, spec in schema.items():
        if name not in out:
            kind = spec["type"]
            value = EMPTY.get(kind)
            if kind == "formula":
                value = {"type": "string", "string": None}
            elif kind == "rollup":
                value = {"type": "array", "array": [], "function": spec["rollup"].get("function")}
            out[name] = {"id": spec["id"], "type": kind, kind: value}
    return out


def create_page(fake, body):
    """Create a page under a page or data source; returns its id."""
    store = fake.store
    extra = set(body) - PAGE_KEYS
    if extra:
        invalid(f"body.{sorted(extra)[0]}", "not present", "present")
    container, parent = resolve_parent(fake, body.get("parent"), {"page_id", "data_source_id", "database_id"})
    if parent["type"] == "page_id":
        schema = {"title": {"id": "title", "name": "title", "type": "title", "title": {}}}
    else:
        schema = store.objects[container]["properties"]
    children = body.get("children") or []
    validate_append(children, store)
    if "markdown" in body or "markdown_version" in body:
        children = page_body_markdown(fake, body)
    for key in ("icon", "cover"):
        if key in body and body[key] is None:
            invalid(f"body.{key}", "an object or undefined", "null")
    pid = store.new_id()
    page = store.stamp({"object": "page", "id": pid, "parent": parent, "is_locked": False,
                        "icon": store.attach_upload(body["icon"]) if body.get("icon") else None,
                        "cover": store.attach_upload(body["cover"]) if body.get("cover") else None,
                        "public_url": None})
    page["properties"] = page_properties(fake, body.get("properties"), schema)
    store.objects[pid] = page
    store.add_child(container, pid)
    mirror(store, pid, schema, {}, page["properties"])
    if children:
        insert_blocks(store, pid, {"type": "page_id", "page_id": pid}, children)
    return pid


def page_body_markdown(fake, body):
    """The blocks of a page body sent as Markdown: never with `children`, `markdown_version` only with it."""
    from tests.fakes.public_markdown_parse import blocks_of
    from tests.fakes.public_versions import markdown_version
    if "children" in body:
        invalid("body.children", "absent when `markdown` is present", "present")
    if fake.faults.refuse_markdown_bodies:
        invalid("body.markdown", "Markdown Notion can parse", "unparsable")
    if not isinstance(body.get("markdown"), str):
        invalid("body.markdown", "a string (sent with `markdown_version`)", body.get("markdown"))
    if markdown_version(fake, body.get("markdown_version")) != "v2":
        invalid("body.markdown_version", "`v2` (the stand-in reads Notion-flavored Markdown v2)", "v1")
    return blocks_of(body["markdown"])


def update_page(fake, pid, body):
    """Apply a PATCH /pages body: properties, icon, cover, trash."""
    store = fake.store
    page = store.objects[pid]
    extra = set(body) - {"properties", "icon", "cover", "in_trash", "archived", "is_locked"}
    if extra:
        invalid(f"body.{sorted(extra)[0]}", "not present", "present")
    parent = page["parent"]
    if parent["type"] == "data_source_id":
        schema = store.objects[parent["data_source_id"]]["properties"]
    else:
        schema = {"title": {"id": "title", "name": "title", "type": "title", "title": {}}}
    before = page["properties"]
    page["properties"] = page_properties(fake, body.get("properties"), schema, before)
    mirror(store, pid, schema, before, page["properties"])
    for key in ("icon", "cover"):
        if key in body:
            page[key] = store.attach_upload(body[key]) if body[key] else None
    if body.get("in_trash") or body.get("archived"):
        page["in_trash"] = page["archived"] = True
    page["last_edited_time"] = store.now()


def schema_entry(fake, name, spec, existing_id=None):
    """Turn one property configuration as written into its read shape."""
    kinds = [k for k in spec if k not in ("name", "description", "type")]
    if len(kinds) != 1:
        invalid(f"body.properties.{name}", "exactly one property type", kinds)
    kind = kinds[0]
    config = dict(spec[kind] or {})
    if kind == "relation":
        target = fake.store.get(config.get("data_source_id"))
        if target is None or target["object"] != "data_source":
            invalid(f"body.properties.{name}.relation.data_source_id", "an existing data source",
                    config.get("data_source_id"))
        rel_type = config.get("type") or ("dual_property" if "dual_property" in config else "single_property")
        if rel_type not in ("single_property", "dual_property"):
            invalid(f"body.properties.{name}.relation.type", "`single_property` or `dual_property`", rel_type)
        config = {"data_source_id": target["id"], "database_id": target["parent"]["database_id"],
                  "type": rel_type, rel_type: {}}
    if kind in ("select", "multi_select", "status"):
        config["options"] = [{"id": fake.store.new_id()[:8], "name": o["name"], "color": o.get("color", "default")}
                             for o in config.get("options", [])]
    pid = existing_id or ("title" if kind == "title" else fake.store.new_id()[:4])
    out = {"id": pid, "name": spec.get("name", name), "type": kind, kind: config}
    if spec.get("description"):
        out["description"] = spec["description"]
    return out


def build_schema(fake, properties):
    """Return a read-shape schema from written properties; exactly one title is required."""
    schema = {name: schema_entry(fake, name, spec) for name, spec in (properties or {}).items()}
    if [s["type"] for s in schema.values()].count("title") != 1:
        invalid("body.properties", "a schema with exactly one title property", len(schema))
    return schema


def create_database(fake, body):
    """Create a database container and its first data source under a page; returns its id."""
    store = fake.store
    extra = set(body) - {"parent", "title", "description", "is_inline", "icon", "cover", "initial_data_source"}
    if extra:
        invalid(f"body.{sorted(extra)[0]}", "not present", "present")
    container, parent = resolve_parent(fake, body.get("parent"), {"page_id"})
    check_rich_text(body.get("title") or [], "body.title")
    dbid = store.new_id()
    db = store.stamp({"object": "database", "id": dbid, "parent": parent,
                      "title": read_rich_text(body.get("title"), store),
                      "description": read_rich_text(body.get("description"), store),
                      "is_inline": bool(body.get("is_inline")), "icon": body.get("icon"),
                      "cover": body.get("cover"), "is_locked": False, "public_url": None})
    store.objects[dbid] = db
    store.add_child(container, dbid)
    initial = body.get("initial_data_source") or {}
    first = create_data_source(fake, {"parent": {"type": "database_id", "database_id": dbid},
                                      "title": body.get("title"), "properties": initial.get("properties")})
    from tests.fakes.public_views import add_view
    add_view(store, dbid, first)  # Notion gives every new database a default table view
    return dbid


def create_data_source(fake, body):
    """Create a data source in a database; returns its id."""
    store = fake.store
    parent = body.get("parent") or {}
    db = store.get(parent.get("database_id"))
    if db is None or db["object"] != "database" or not store.accessible(db["id"]):
        raise ApiError(404, "object_not_found", f"Could not find database with ID: {parent.get('database_id')}.")
    dsid = store.new_id()
    ds = store.stamp({"object": "data_source", "id": dsid,
                      "parent": {"type": "database_id", "database_id": db["id"]},
                      "database_parent": db["parent"], "title": read_rich_text(body.get("title"), store),
                      "description": [], "icon": None, "cover": None, "is_inline": db["is_inline"]})
    ds["properties"] = build_schema(fake, body.get("properties"))
    store.objects[dsid] = ds
    store.add_child(db["id"], dsid)
    for name, spec in (body.get("properties") or {}).items():
        entry = ds["properties"][spec.get("name", name)]
        if entry["type"] == "relation" and entry["relation"]["type"] == "dual_property":
            link_dual(fake, dsid, entry, (spec.get("relation") or {}).get("dual_property"))
    return dsid


def rename_property(store, dsid, old, spec):
    """Rename a property (a PATCH value of just `name`), in the schema, every row and a two-way partner."""
    ds = store.objects[dsid]
    new = spec.get("name", old["name"])
    if new != old["name"] and new in ds["properties"]:
        invalid(f"body.properties.{old['name']}.name", "a name no other property has", new)
    ds["properties"].pop(old["name"])
    for row in store.children.get(dsid, []):
        props = store.objects[row]["properties"]
        if old["name"] in props:
            props[new] = props.pop(old["name"])
    old["name"] = new
    if spec.get("description"):
        old["description"] = spec["description"]
    ds["properties"][new] = old
    renamed(store, old)


def update_data_source(fake, dsid, body):
    """Apply a PATCH /data_sources body: add, change or remove properties; title."""
    store = fake.store
    ds = store.objects[dsid]
    for name, spec in (body.get("properties") or {}).items():
        if spec is None:
            ds["properties"].pop(name, None)
            continue
        old = ds["properties"].get(name) or next((p for p in ds["properties"].values() if p["id"] == name), None)
        if old is not None and not set(spec) - {"name", "description"}:
            rename_property(store, dsid, old, spec)
            continue
        entry = schema_entry(fake, old["name"] if old else name, spec, old["id"] if old else None)
        if old and old["type"] == "relation" and entry["type"] == "relation" \
                and old["relation"] == dict(entry["relation"], dual_property=old["relation"].get("dual_property")):
            entry["relation"] = old["relation"]  # the same two-way relation again: keep its synced side
        ds["properties"][entry["name"]] = entry
        if old and old["name"] != entry["name"]:
            ds["properties"].pop(old["name"], None)
        if entry["type"] == "relation" and entry["relation"]["type"] == "dual_property" \
                and not entry["relation"]["dual_property"]:
            link_dual(fake, dsid, entry, (spec.get("relation") or {}).get("dual_property"))
        for row in store.children.get(dsid, []):
            props = store.objects[row]["properties"]
            if entry["name"] not in props:
                props.update(page_properties(fake, {}, {entry["name"]: entry}, {}))
    if body.get("title") is not None:
        ds["title"] = read_rich_text(body["title"], store)
    ds["last_edited_time"] = store.now()


__all__ = ["READ_ONLY_PROPS", "dashed"]
