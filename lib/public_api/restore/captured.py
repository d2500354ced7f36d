"""The capture a restore reads: its index of objects by old id, their JSON documents and the user names."""
import json

from lib.core.errors import ConfigError
from lib.core.ids import find_id
from lib.core.layout import CAPTURE_INDEX, CAPTURE_USERS
from lib.public_api.restore.block_tree import STRUCTURAL, walk


class Snapshot:
    """A public-API capture read through a source (a directory or a git commit)."""

    def __init__(self, source):
        self.source = source
        self.index = self.read(CAPTURE_INDEX)
        if self.index.get("format") != 1:
            raise ConfigError([f"index.json of {source.describe()} has format {self.index.get('format')}; this "
                               "version restores format 1 (capture again with this version)"])
        self.objects = self.index["objects"]
        users = self.read(CAPTURE_USERS, {"users": []})
        self.users = {u["id"]: u.get("name") or "someone" for u in users.get("users", [])}

    def read(self, path, default=None):
        """Return a JSON file of the snapshot (or `default` when it is absent)."""
        try:
            return json.loads(self.source.read(path))
        except FileNotFoundError:
            if default is not None:
                return default
            raise ConfigError([f"{path} is missing from {self.source.describe()}: not a public-API capture "
                               "(run the api_capture task with NOTION_API_KEY set first)"])

    def document(self, old_id):
        """Return the captured document of one object (page, row or database)."""
        return self.read(self.objects[old_id]["path"])

    def roots(self):
        """Return the top-level objects in a stable order: by title, then by id."""
        return sorted(self.index["roots"], key=lambda r: (self.objects[r]["title"], r))

    def where(self, old_id):
        """Name an object for the report: title and old id."""
        return f"{self.objects.get(old_id, {}).get('title') or 'Untitled'} ({old_id})"

    def find(self, spec):
        """Return the old id of the page or database `spec` names (id, Notion URL or exact title)."""
        found = find_id(spec or "")
        if found:
            if found in self.objects:
                return found
            hits = []
        else:
            hits = sorted(oid for oid, entry in self.objects.items() if (entry.get("title") or "") == spec.strip())
        if len(hits) == 1:
            return hits[0]
        if not hits:
            raise ConfigError([f"--page {spec}: no page or database with that id, URL or title in the capture of "
                               f"{self.source.describe()}"])
        raise ConfigError([f"--page {spec}: {len(hits)} objects of the capture have that title; name one by id: "
                           + ", ".join(f"{self.where(h)}" for h in hits[:10])])

    def subtree(self, old_id):
        """Return the ids a restore of `old_id` creates: it, its sub-pages and databases, their rows, and below."""
        todo, seen = [old_id], set()
        children = {}
        for oid, entry in self.objects.items():
            children.setdefault((entry.get("parent") or {}).get("id"), []).append(oid)
        while todo:
            oid = todo.pop()
            if oid in seen or oid not in self.objects:
                continue
            seen.add(oid)
            doc = self.document(oid)
            if self.objects[oid]["type"] == "page":
                todo += [b["id"] for b in walk(doc.get("blocks", [])) if b.get("type") in STRUCTURAL]
            else:
                todo += [row for source in doc.get("data_sources", []) for row in source.get("rows", [])]
            todo += children.get(oid, [])
        return seen
