"""Two-way (dual_property) relations of the public-API stand-in: the synced property and mirrored values."""
from tests.fakes.public_store import dashed


def default_synced_name(store, dsid, name):
    """Return the name Notion gives the synced side when none is asked for."""
    # Observed in ultimate-notion issue #134: "Related to <source database> (<source property>)".
    return f"Related to {store.title_of(dsid)} ({name})"


def link_dual(fake, dsid, entry, requested):
    """Give the related data source the synced property of a new two-way relation; both configs point at each other."""
    store = fake.store
    config = entry["relation"]
    target = store.objects[config["data_source_id"]]
    faults = getattr(store, "faults", None)
    name = (requested or {}).get("synced_property_name")
    if not name or (faults is not None and faults.ignore_synced_property_name):
        name = default_synced_name(store, dsid, entry["name"])
    base, n = name, 1
    # A name already taken gets a number, so the synced property never replaces another one.
    while name in target["properties"]:
        n += 1
        name = f"{base} {n}"
    synced_id = store.new_id()[:4]
    source = store.objects[dsid]
    target["properties"][name] = {"id": synced_id, "name": name, "type": "relation", "relation": {
        "data_source_id": dsid, "database_id": source["parent"]["database_id"], "type": "dual_property",
        "dual_property": {"synced_property_id": entry["id"], "synced_property_name": entry["name"]}}}
    config["dual_property"] = {"synced_property_id": synced_id, "synced_property_name": name}
    for row in store.children.get(target["id"], []):
        store.objects[row]["properties"].setdefault(name, {"id": synced_id, "type": "relation", "relation": []})
    target["last_edited_time"] = store.now()


def partner(store, entry):
    """Return (data source, property name) of the other side of a two-way relation, or None."""
    config = entry.get("relation") or {}
    if config.get("type") != "dual_property":
        return None
    synced_id = config["dual_property"].get("synced_property_id")
    other = store.objects.get(config["data_source_id"])
    for name, prop in (other or {}).get("properties", {}).items():
        if prop["id"] == synced_id:
            return other, name
    return None


def renamed(store, entry):
    """Tell the other side of a two-way relation that this property has a new name."""
    found = partner(store, entry)
    if found:
        other, name = found
        other["properties"][name]["relation"]["dual_property"]["synced_property_name"] = entry["name"]


def mirror(store, page_id, schema, before, after):
    """Reflect a page's two-way relation changes on the related pages' synced property."""
    for name, entry in schema.items():
        found = partner(store, entry)
        if not found or name not in after:
            continue
        other, synced = found
        old = [r["id"] for r in (before.get(name) or {}).get("relation", [])]
        new = [r["id"] for r in after[name]["relation"]]
        for ref in new:
            if ref not in old:
                _edit(store, ref, synced, other, page_id, add=True)
        for ref in old:
            if ref not in new:
                _edit(store, ref, synced, other, page_id, add=False)


def _edit(store, related_id, synced, other, page_id, add):
    page = store.objects.get(dashed(related_id))
    if page is None:
        return
    prop = page["properties"].setdefault(synced, {"id": other["properties"][synced]["id"], "type": "relation",
                                                  "relation": []})
    refs = [r for r in prop["relation"] if r["id"] != page_id]
    prop["relation"] = refs + [{"id": page_id}] if add else refs
    page["last_edited_time"] = store.now()
