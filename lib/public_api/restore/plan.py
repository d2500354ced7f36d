"""Restore phases after the tree (relations, link fixups) and the offline stand-in used for --dry-run."""
import logging

from lib.public_api.client import NotionApiError

log = logging.getLogger(__name__)


class PlanApi:
    """Answers restore writes offline with planned ids and records each one as a plan step."""

    def __init__(self):
        self.plan, self.children, self.n = [], {}, 0
        self.stats = {"requests": 0}

    def _id(self):
        self.n += 1
        return f"00000000-0000-4000-8000-{self.n:012d}"

    def request(self, method, path, query=None, body=None, skip_missing=False, form_data=None):
        """Record a write and answer it the way Notion would, without any network."""
        self.stats["requests"] += 1
        body = body or {}
        if method == "PATCH" and path.endswith("/children"):
            container = path.split("/")[1]
            results = []
            for child in body["children"]:
                new = self._id()
                nested = child[child["type"]].get("children") or []
                self.children[new] = [self._id() for _ in nested]
                results.append({"id": new})
            self.children.setdefault(container, []).extend(r["id"] for r in results)
            nested = sum(len(c[c["type"]].get("children") or []) for c in body["children"])
            self.plan.append({"action": "append_blocks", "under": container, "blocks": len(results), "nested": nested})
            return {"results": results}
        if method == "POST" and path in ("pages", "databases", "data_sources"):
            new = self._id()
            titled = body.get("title") or next((v["title"] for v in body.get("properties", {}).values()
                                                if isinstance(v, dict) and "title" in v), [])
            title = "".join(t.get("text", {}).get("content", "") for t in titled)
            parent = body.get("parent", {})
            self.plan.append({"action": f"create_{path[:-1]}", "title": title,
                              "under": parent.get(parent.get("type")), "id": new})
            return {"id": new, "data_sources": [{"id": self._id()}], "discussion_id": new}
        if method == "POST" and path == "comments":
            self.plan.append({"action": "create_comment"})
            return {"id": self._id(), "discussion_id": body.get("discussion_id") or self._id()}
        if method == "POST" and path == "file_uploads":
            self.plan.append({"action": "upload_file", "name": body.get("filename")})
            return {"id": self._id()}
        if method != "GET" and not path.endswith("/send"):
            self.plan.append({"action": f"{method.lower()} {path.split('/')[0]}", "target": path.split("/")[1]})
        return {"results": [], "data_sources": [{"id": self._id()}]}

    def paginate(self, method, path, query=None, body=None, skip_missing=False):
        """Yield the planned children of a planned block."""
        self.stats["requests"] += 1
        parts = path.split("/")
        for child in self.children.get(parts[1], []) if parts[0] == "blocks" else []:
            yield {"id": child, "type": "planned"}

    def progress(self, force=False, label=""):
        """Nothing to report offline."""

    def close(self):
        """Nothing to close offline."""


def relation_phase(r):
    """Create relation and rollup properties against the new data sources, then set row relations."""
    dual_done = set()
    for old_db, entry in r.objects.items():
        if entry["type"] != "database" or old_db not in r.journal.map:
            continue
        doc, where = r.read(entry["path"]), r.where(old_db)
        for source in doc["data_sources"]:
            ds = source["data_source"]
            ds_new = r.journal.map.get(ds["id"])
            if not ds_new:
                continue
            relations, rollups = {}, {}
            for name, prop in r.conv.schema(ds.get("properties", {}), where)[1].items():
                if prop["type"] == "rollup":
                    cfg = prop["rollup"]
                    rollups[name] = {"rollup": {k: cfg[k] for k in ("relation_property_name", "rollup_property_name",
                                                                   "function") if cfg.get(k)}}
                    continue
                cfg = prop["relation"]
                target = r.journal.map.get(cfg.get("data_source_id"))
                if not target:
                    r.loss("relation", where, f"relation '{name}' points at a data source outside the backup")
                    continue
                if cfg.get("type") == "dual_property":
                    if (ds["id"], name) in dual_done:
                        continue  # Notion creates the other side of a two-way relation itself.
                    synced = (cfg.get("dual_property") or {}).get("synced_property_name")
                    dual_done.add((cfg["data_source_id"], synced))
                    # Without the name Notion calls the other side "Related to <database> (<property>)".
                    dual = {"synced_property_name": synced} if synced else {}
                    relations[name] = {"relation": {"data_source_id": target, "type": "dual_property", "dual_property": dual}}
                else:
                    relations[name] = {"relation": {"data_source_id": target, "type": "single_property",
                                                    "single_property": {}}}
            key = f"schema:{ds['id']}"
            if key not in r.journal.done:
                if relations:
                    answer = r.api.request("PATCH", f"data_sources/{ds_new}", body={"properties": relations})
                    name_synced_sides(r, answer, relations)
                if rollups:
                    try:
                        r.api.request("PATCH", f"data_sources/{ds_new}", body={"properties": rollups})
                    except NotionApiError as err:
                        r.loss("property", where, f"rollups {sorted(rollups)} could not be recreated: {err}")
                r.journal.mapped({}, key)
            for row in source["rows"]:
                set_row_relations(r, row, relations, where)


def name_synced_sides(r, answer, relations):
    """Rename the synced side of each new two-way relation when Notion did not take the name asked for."""
    for name, spec in relations.items():
        wanted = spec["relation"]["dual_property"].get("synced_property_name") \
            if spec["relation"]["type"] == "dual_property" else None
        got = (((answer or {}).get("properties") or {}).get(name) or {}).get("relation") or {}
        dual = got.get("dual_property") or {}
        if wanted and dual.get("synced_property_id") and dual.get("synced_property_name") != wanted:
            log.info("renaming the synced side of two-way relation '%s' from '%s' to '%s'",
                     name, dual.get("synced_property_name"), wanted)
            r.api.request("PATCH", f"data_sources/{got['data_source_id']}",
                          body={"properties": {dual["synced_property_id"]: {"name": wanted}}})


def set_row_relations(r, row, relations, where):
    """Write one row's relation values with old ids mapped to the restored rows."""
    key = f"relations:{row}"
    if row not in r.journal.map or key in r.journal.done:
        return
    page = r.read(r.objects[row]["path"])["page"]
    values = {}
    for name, prop in page["properties"].items():
        if prop.get("type") != "relation" or name not in relations:
            continue
        ids = [r.journal.map.get(ref["id"]) for ref in prop["relation"]]
        if None in ids:
            r.loss("relation", r.where(row), f"'{name}' links to {ids.count(None)} page(s) outside the backup")
        ids = [i for i in ids if i]
        if len(ids) > 100:
            r.loss("relation", r.where(row), f"'{name}' kept its first 100 of {len(ids)} links (API limit)")
        values[name] = {"relation": [{"id": i} for i in ids[:100]]}
    if any(v["relation"] for v in values.values()):
        r.api.request("PATCH", f"pages/{r.journal.map[row]}", body={"properties": values})
    r.journal.mapped({}, key)


def fixup_phase(r):
    """Rewrite blocks whose mentions or links named pages restored after them."""
    from lib.public_api.restore.restorer import walk
    docs = {}
    for new_id, old_id, owner in list(r.journal.fixups):
        key = f"fixup:{new_id}"
        if new_id is None or key in r.journal.done:
            continue
        if owner not in docs:
            docs[owner] = {b["id"]: b for b in walk(r.read(r.objects[owner]["path"])["blocks"])}
        block = docs[owner].get(old_id)
        if block is None:
            continue
        items = r.conv.block(block, r.where(owner))
        if r.conv.unresolved or not items:
            r.loss("link", r.where(owner), "a mention or link names a page that was not restored")
        else:
            write = items[0][0]
            kind = write["type"]
            payload = {k: v for k, v in write[kind].items() if k in ("rich_text", "cells", "type", "page_id", "database_id")}
            r.api.request("PATCH", f"blocks/{new_id}", body={kind: payload})
        r.journal.mapped({}, key)
