"""The restore's views phase: each captured database view (name, type, filter, sorts, visible properties and the
rest of its configuration) recreated on the restored database once its properties all exist, Notion's default
view removed where the captured ones replace it."""
import logging

from lib.public_api.client import NotionApiError

log = logging.getLogger(__name__)


def remap(value, names, new_ids):
    """A filter, sort list or configuration with the captured property ids replaced: `property` by the name
    (which Notion takes, whatever the new id), `property_id` by the restored property's id."""
    if isinstance(value, dict):
        out = {}
        for key, inner in value.items():
            if key == "property" and isinstance(inner, str):
                out[key] = names.get(inner, inner)
            elif key == "property_id" and isinstance(inner, str):
                out[key] = new_ids.get(names.get(inner, inner), inner)
            else:
                out[key] = remap(inner, names, new_ids)
        return out
    if isinstance(value, list):
        return [remap(inner, names, new_ids) for inner in value]
    return value


class ViewPhase:
    """Recreates the views of every restored database."""

    def __init__(self, api, journal, snapshot, report):
        self.api, self.journal, self.snapshot, self.report = api, journal, snapshot, report
        self.schemas = {}

    def run(self):
        """Recreate the captured views of each database this restore created."""
        for old, entry in self.snapshot.objects.items():
            if entry["type"] == "database" and old in self.journal.map:
                self.restore(old, self.snapshot.read(entry["path"]), self.snapshot.where(old))

    def restore(self, old, doc, where):
        """Recreate one database's views; say what could not be."""
        views = doc.get("views")
        if views is None:
            self.report.loss("database", where, "views were not captured (a capture from before views were read, "
                             "or Notion refused to list them): Notion's default view stands in for them")
            return
        new_db = self.journal.map[old]
        defaults_key = f"view-defaults:{old}"
        if defaults_key not in self.journal.extra:  # Notion's own view of the new database, before ours
            listed = [v["id"] for v in self.api.paginate("GET", "views", query={"database_id": new_db})]
            self.journal.write({"op": "set", "key": defaults_key, "value": listed})
        sources = {s["data_source"]["id"]: s["data_source"] for s in doc["data_sources"]}
        made = 0
        for view in views:
            made += self.create(view, new_db, sources, where)
        if made and f"views:{old}" not in self.journal.done:
            for view_id in self.journal.extra[defaults_key]:
                self.api.request("DELETE", f"views/{view_id}", skip_missing=True)
            self.journal.mapped({}, f"views:{old}")

    def create(self, view, new_db, sources, where):
        """Create one captured view; return 1 when it exists in Notion now."""
        key = f"view:{view['id']}"
        if key in self.journal.done:
            return 1
        source = sources.get(view.get("data_source_id"))
        new_source = self.journal.map.get(view.get("data_source_id"))
        if source is None or new_source is None:
            self.report.loss("view", where, f"'{view.get('name')}' ({view.get('type')}) shows no data source of "
                             "this database (a dashboard): not restorable through the API")
            return 0
        names = {prop["id"]: name for name, prop in (source.get("properties") or {}).items()}
        new_ids = self.new_schema(new_source)
        body = {"database_id": new_db, "data_source_id": new_source, "name": view.get("name") or "",
                "type": view.get("type")}
        for field in ("filter", "sorts", "configuration"):
            if view.get(field):
                body[field] = remap(view[field], names, new_ids)
        try:
            created = self.api.request("POST", "views", body=body)
        except NotionApiError as err:
            if err.status != 400:
                raise
            self.report.loss("view", where, f"'{view.get('name')}' ({view.get('type')}) was refused by Notion: "
                             f"{str(err)[:200]}")
            return 0
        self.journal.mapped({view["id"]: created["id"]}, key)
        self.report.count("views")
        return 1

    def new_schema(self, new_source):
        """{property name: id} of a restored data source, read once."""
        if new_source not in self.schemas:
            answer = self.api.request("GET", f"data_sources/{new_source}")
            self.schemas[new_source] = {name: prop["id"] for name, prop in (answer.get("properties") or {}).items()}
        return self.schemas[new_source]
