"""Whether a page or database a restored subtree links to still exists in the workspace (asked once each)."""
from lib.public_api.client import NotionSkipped


class LiveCheck:
    """Callable: `check(old_id)` is True when Notion still has that page or database, not in the trash."""

    def __init__(self, api, snapshot):
        self.api, self.snapshot, self.known = api, snapshot, {}

    def __call__(self, old_id):
        if old_id not in self.known:
            self.known[old_id] = self._ask(old_id)
        return self.known[old_id]

    def _ask(self, old_id):
        kind = (self.snapshot.objects.get(old_id) or {}).get("type")
        for endpoint in (["databases"] if kind == "database" else ["pages"] if kind == "page" else
                         ["pages", "databases"]):
            try:
                found = self.api.request("GET", f"{endpoint}/{old_id}", skip_missing=True)
            except NotionSkipped:
                continue
            return not (found.get("in_trash") or found.get("archived"))
        return False
