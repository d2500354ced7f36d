"""Database views in the public-API stand-in (GET/POST /v1/views, GET/DELETE /v1/views/{id}), as developers.notion.com
"Working with views" describes them: each scoped to one data source of a database, with a name, a type, a filter,
sorts and a type-specific configuration; a new database gets one default table view."""
from tests.fakes.public_routes import not_found, paginate, route, visible
from tests.fakes.public_store import dashed
from tests.fakes.public_writes import invalid

TYPES = ("table", "board", "calendar", "timeline", "gallery", "list", "form", "chart", "map")


def add_view(store, database_id, data_source_id, name="Default view", kind="table", filter_=None, sorts=None,
             configuration=None):
    """Store a view of a database and return its id."""
    view_id = store.new_id()
    store.views[view_id] = {"object": "view", "id": view_id,
                            "parent": {"type": "database_id", "database_id": database_id},
                            "data_source_id": data_source_id, "name": name, "type": kind, "filter": filter_,
                            "sorts": sorts or [], "configuration": configuration or {"type": kind}}
    return view_id


def _properties_named(store, data_source_id, value, path):
    """Refuse a filter, sort or configuration naming a property the data source lacks (by name or id)."""
    schema = store.objects[data_source_id]["properties"]
    known = set(schema) | {p["id"] for p in schema.values()}
    if isinstance(value, dict):
        for key, inner in value.items():
            if key in ("property", "property_id") and isinstance(inner, str) and inner not in known:
                invalid(f"{path}.{key}", "a property of the data source", inner)
            _properties_named(store, data_source_id, inner, f"{path}.{key}")
    elif isinstance(value, list):
        for n, inner in enumerate(value):
            _properties_named(store, data_source_id, inner, f"{path}[{n}]")


@route("GET", "views")
def list_views(fake, match, params, body):
    database = visible(fake, params.get("database_id"), ("database",))
    refs = [{"object": "view", "id": v["id"]} for v in fake.store.views.values()
            if v["parent"]["database_id"] == database]
    return paginate(fake, refs, params, "view")


@route("GET", "views/([^/]+)")
def get_view(fake, match, params, body):
    view = fake.store.views.get(dashed(match[1]) or "")
    if view is None:
        not_found(match[1])
    return dict(view)


@route("POST", "views")
def post_view(fake, match, params, body):
    store = fake.store
    extra = set(body) - {"database_id", "data_source_id", "name", "type", "filter", "sorts", "configuration"}
    if extra:
        invalid(f"body.{sorted(extra)[0]}", "not present", "present")
    database = visible(fake, body.get("database_id"), ("database",))
    source = visible(fake, body.get("data_source_id"), ("data_source",))
    if store.objects[source]["parent"]["database_id"] != database:
        invalid("body.data_source_id", "a data source of the database", body.get("data_source_id"))
    if body.get("type") not in TYPES:
        invalid("body.type", " or ".join(f"`{t}`" for t in TYPES), body.get("type"))
    if not isinstance(body.get("name"), str):
        invalid("body.name", "a string", body.get("name"))
    for key in ("filter", "sorts", "configuration"):
        _properties_named(store, source, body.get(key), f"body.{key}")
    view_id = add_view(store, database, source, body["name"], body["type"], body.get("filter"), body.get("sorts"),
                       body.get("configuration"))
    return dict(store.views[view_id])


@route("DELETE", "views/([^/]+)")
def delete_view(fake, match, params, body):
    view = fake.store.views.pop(dashed(match[1]) or "", None)
    if view is None:
        not_found(match[1])
    return dict(view)
