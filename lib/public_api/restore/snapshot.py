"""The capture a restore reads: its index of objects by old id, their JSON documents and the user names."""
import json

from lib.errors import ConfigError
from lib.paths import CAPTURE_INDEX, CAPTURE_USERS


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
