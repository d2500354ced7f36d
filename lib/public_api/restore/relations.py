"""The restore's relation phase: relation and rollup properties once every data source exists, then row values."""
import logging

from lib.public_api.client import NotionApiError

log = logging.getLogger(__name__)
ROLLUP_KEYS = ("relation_property_name", "rollup_property_name", "function")
RELATIONS_MAX = 100


class RelationPhase:
    """Adds relation and rollup properties against the new data sources, then sets each row's relations."""

    def __init__(self, api, journal, snapshot, converter, report):
        self.api, self.journal, self.snapshot, self.converter, self.report = api, journal, snapshot, converter, report

    def run(self):
        """Create relation and rollup properties against the new data sources, then set row relations."""
        dual_done = set()
        for old_db, entry in self.snapshot.objects.items():
            if entry["type"] != "database" or old_db not in self.journal.map:
                continue
            doc, where = self.snapshot.read(entry["path"]), self.snapshot.where(old_db)
            for source in doc["data_sources"]:
                ds = source["data_source"]
                ds_new = self.journal.map.get(ds["id"])
                if not ds_new:
                    continue
                relations, rollups = self._properties(ds, where, dual_done)
                if f"schema:{ds['id']}" not in self.journal.done:
                    self._add_properties(ds, ds_new, relations, rollups, where)
                for row in source["rows"]:
                    self._set_row_relations(row, relations)

    def _properties(self, ds, where, dual_done):
        """Return (relations, rollups) in write shape for one data source."""
        relations, rollups = {}, {}
        for name, prop in self.converter.schema(ds.get("properties", {}), where)[1].items():
            if prop["type"] == "rollup":
                cfg = prop["rollup"]
                rollups[name] = {"rollup": {k: cfg[k] for k in ROLLUP_KEYS if cfg.get(k)}}
                continue
            cfg = prop["relation"]
            target = self.journal.map.get(cfg.get("data_source_id"))
            if not target:
                self.report.loss("relation", where, f"relation '{name}' points at a data source outside the backup")
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
        return relations, rollups

    def _add_properties(self, ds, ds_new, relations, rollups, where):
        if relations:
            answer = self.api.request("PATCH", f"data_sources/{ds_new}", body={"properties": relations})
            self._name_synced_sides(answer, relations)
        if rollups:
            try:
                self.api.request("PATCH", f"data_sources/{ds_new}", body={"properties": rollups})
            except NotionApiError as err:
                self.report.loss("property", where, f"rollups {sorted(rollups)} could not be recreated: {err}")
        self.journal.mapped({}, f"schema:{ds['id']}")

    def _name_synced_sides(self, answer, relations):
        """Rename the synced side of each new two-way relation when Notion did not take the name asked for."""
        for name, spec in relations.items():
            wanted = spec["relation"]["dual_property"].get("synced_property_name") \
                if spec["relation"]["type"] == "dual_property" else None
            got = (((answer or {}).get("properties") or {}).get(name) or {}).get("relation") or {}
            dual = got.get("dual_property") or {}
            if wanted and dual.get("synced_property_id") and dual.get("synced_property_name") != wanted:
                log.info("renaming the synced side of two-way relation '%s' from '%s' to '%s'",
                         name, dual.get("synced_property_name"), wanted)
                self.api.request("PATCH", f"data_sources/{got['data_source_id']}",
                                 body={"properties": {dual["synced_property_id"]: {"name": wanted}}})

    def _set_row_relations(self, row, relations):
        """Write one row's relation values with old ids mapped to the restored rows."""
        key = f"relations:{row}"
        if row not in self.journal.map or key in self.journal.done:
            return
        where = self.snapshot.where(row)
        values = {}
        for name, prop in self.snapshot.document(row)["page"]["properties"].items():
            if prop.get("type") != "relation" or name not in relations:
                continue
            ids = [self.journal.map.get(ref["id"]) for ref in prop["relation"]]
            if None in ids:
                self.report.loss("relation", where, f"'{name}' links to {ids.count(None)} page(s) outside the backup")
            ids = [i for i in ids if i]
            if len(ids) > RELATIONS_MAX:
                self.report.loss("relation", where, f"'{name}' kept its first {RELATIONS_MAX} of {len(ids)} links (API limit)")
            values[name] = {"relation": [{"id": i} for i in ids[:RELATIONS_MAX]]}
        if any(v["relation"] for v in values.values()):
            self.api.request("PATCH", f"pages/{self.journal.map[row]}", body={"properties": values})
        self.journal.mapped({}, key)
