"""Restore of a public-API capture into Notion under one page: resumable, id-remapping, reported."""
import json
import logging
import time
from collections import deque

from lib.errors import ConfigError
from lib.public_api.client import ApiSettings, NotionApi, NotionApiError, NotionSkipped
from lib.public_api.restore.append import Appender
from lib.public_api.restore.blocks import Converter
from lib.public_api.restore.sources import DirSource, GitTreeSource, Journal
from lib.public_api.restore.comments import restore_comments
from lib.public_api.restore.plan import PlanApi
from lib.public_api.restore.uploads import Uploads

log = logging.getLogger(__name__)
__all__ = ["restore_snapshot", "DirSource", "GitTreeSource"]


class Restorer(Appender, Uploads):
    """Recreates pages, databases, rows, relations, blocks and comments from a snapshot."""

    def __init__(self, api, source, root, journal):
        self.api, self.source, self.root, self.journal = api, source, root, journal
        self.index = self.read("index.json")
        if self.index.get("format") != 1:
            raise ConfigError([f"index.json of {source.describe()} has format {self.index.get('format')}; this "
                               "version restores format 1 (capture again with this version)"])
        self.objects = self.index["objects"]
        users = self.read("users.json", {"users": []})
        self.users = {u["id"]: u.get("name") or "someone" for u in users.get("users", [])}
        self.losses, self._seen_losses = [], set()
        self.counts = {"pages": 0, "databases": 0, "rows": 0, "blocks": 0, "comments": 0, "uploads": 0}
        self.queue = deque()
        self.moved = []
        self.conv = Converter(journal.map, set(self.objects), root, self.loss, self.upload_token)

    def read(self, path, default=None):
        """Return a JSON file of the snapshot (or `default` when it is absent)."""
        try:
            return json.loads(self.source.read(path))
        except FileNotFoundError:
            if default is not None:
                return default
            raise ConfigError([f"{path} is missing from {self.source.describe()}: not a public-API capture "
                               "(run the api_capture task with NOTION_API_KEY set first)"])

    def where(self, old_id):
        """Name an object for the report: title and old id."""
        return f"{self.objects.get(old_id, {}).get('title') or 'Untitled'} ({old_id})"

    def loss(self, kind, where, detail):
        """Record something the restore could not recreate faithfully (reported, never dropped)."""
        if (kind, where, detail) not in self._seen_losses:
            self._seen_losses.add((kind, where, detail))
            self.losses.append({"kind": kind, "where": where, "detail": detail})

    def count(self, what, n=1):
        """Add to one of the report's created counters."""
        self.counts[what] += n

    def title_rich(self, old_id):
        """Return an object's title as rich text in write shape."""
        return self.conv.rich([{"type": "text", "text": {"content": self.objects[old_id]["title"]}}])

    def icon(self, obj):
        """Return a page icon in write shape (emoji or external), or None."""
        icon = obj.get("icon") or {}
        if icon.get("type") == "emoji":
            return {"type": "emoji", "emoji": icon["emoji"]}
        if icon.get("type") == "external":
            return {"type": "external", "external": {"url": icon["external"]["url"]}}
        return None

    def create_child(self, block, owner):
        """Create the page or database a child block stands for, under the owner page."""
        old = block["id"]
        if old not in self.objects:
            self.loss("page", self.where(owner), f"'{block[block['type']].get('title', '')}' ({old}) is not in the backup")
        elif self.objects[old]["type"] == "page":
            self.create_page(old, self.journal.map[owner])
        else:
            self.create_database(old, self.journal.map[owner])

    def create_page(self, old, parent_new, data_source=None, writable=()):
        """Create a page (or database row) once; queue its content."""
        key = f"page:{old}"
        doc = self.read(self.objects[old]["path"])
        if key not in self.journal.done:
            page = doc["page"]
            if data_source:
                body = {"parent": {"type": "data_source_id", "data_source_id": data_source},
                        "properties": self.conv.values(page["properties"], writable, self.where(old))}
            else:
                body = {"parent": {"type": "page_id", "page_id": parent_new},
                        "properties": {"title": {"title": self.title_rich(old)}}}
            if self.icon(page):
                body["icon"] = self.icon(page)
            if (page.get("cover") or {}).get("type") == "external":
                body["cover"] = {"type": "external", "external": {"url": page["cover"]["external"]["url"]}}
            self.journal.write({"op": "intent", "key": key, "old": old, "parent": parent_new,
                                "data_source": data_source, "title": self.objects[old]["title"]})
            try:
                body = self.resolve_uploads(body)
            except NotionApiError as err:
                self.loss("media", self.where(old), f"files in its properties were refused by Notion ({err.code})")
                body["properties"] = {k: v for k, v in body["properties"].items() if "files" not in v}
            try:
                created = self.api.request("POST", "pages", body=body)
            except NotionApiError as err:
                if err.status != 400:
                    raise
                # Keep the page: drop what Notion refused (people of another workspace, a bad icon...).
                titles = {k: v for k, v in body["properties"].items() if "title" in v}
                self.loss("property", self.where(old), f"properties other than the title were refused and "
                          f"left empty: {str(err)[:200]}")
                created = self.api.request("POST", "pages", body={"parent": body["parent"], "properties": titles})
            self.journal.mapped({old: created["id"]}, key)
            self.count("rows" if data_source else "pages")
        self.queue.append(old)

    def create_database(self, old, parent_new):
        """Create a database with its data sources (relations later) and its rows."""
        doc = self.read(self.objects[old]["path"])
        where, key = self.where(old), f"database:{old}"
        sources = doc["data_sources"]
        schemas = [self.conv.schema(s["data_source"].get("properties", {}), where) for s in sources]
        self.loss("database", where, "views, filters and sorts are not restorable through the API")
        if any(p["type"] in ("formula", "rollup") for s in sources for p in s["data_source"]["properties"].values()):
            self.loss("database", where, "formula and rollup values are recomputed by Notion, not copied")
        if key not in self.journal.done and sources:
            db = doc["database"]
            body = {"parent": {"type": "page_id", "page_id": parent_new}, "title": self.conv.rich(db.get("title")),
                    "is_inline": bool(db.get("is_inline")), "initial_data_source": {"properties": schemas[0][0]}}
            if self.icon(db):
                body["icon"] = self.icon(db)
            first = sources[0]["data_source"]["id"]
            self.journal.write({"op": "intent", "key": key, "old": old, "parent": parent_new,
                                "title": self.objects[old]["title"], "first_source": first})
            created = self.api.request("POST", "databases", body=body)
            self.journal.mapped({old: created["id"], first: created["data_sources"][0]["id"]}, key)
            self.count("databases")
        for source, (now, _later) in list(zip(sources, schemas))[1:]:
            ds = source["data_source"]
            if f"source:{ds['id']}" not in self.journal.done:
                created = self.api.request("POST", "data_sources", body={
                    "parent": {"type": "database_id", "database_id": self.journal.map[old]},
                    "title": self.conv.rich(ds.get("title")), "properties": now})
                self.journal.mapped({ds["id"]: created["id"]}, f"source:{ds['id']}")
        for source, (now, _later) in zip(sources, schemas):
            for row in source["rows"]:
                if row in self.objects:
                    self.create_page(row, None, self.journal.map[source["data_source"]["id"]], set(now))

    def fill_page(self, old):
        """Append a page's blocks (creating its sub-pages in place) and its comments."""
        doc = self.read(self.objects[old]["path"])
        key = f"content:{old}"
        if key in self.journal.done:
            for block in walk(doc["blocks"]):
                if block.get("type") in ("child_page", "child_database"):
                    self.create_child(block, old)
            return
        self.append_tree(old, self.journal.map[old], doc["blocks"], old, top=True)
        # Pages that sat inside toggles or columns cannot have a block parent: they go last.
        for block, owner in self.moved:
            self.create_child(block, owner)
        self.moved = []
        restore_comments(self, old, doc)
        self.journal.write({"op": "done", "key": key})

    def relations(self):
        """Add relation and rollup properties now that every data source exists, then their values."""
        from lib.public_api.restore.plan import relation_phase
        relation_phase(self)

    def fixups(self):
        """Point mentions and links that named not-yet-restored pages at their new ids."""
        from lib.public_api.restore.plan import fixup_phase
        fixup_phase(self)

    def run(self):
        """Restore everything: roots, their trees, then relations and link fixups."""
        if self.journal.resumed:
            log.info("resuming restore from journal (%d objects already created)", len(self.journal.map))
            self.adopt()
        roots = sorted(self.index["roots"], key=lambda r: (self.objects[r]["title"], r))
        for old in roots:
            if self.objects[old]["type"] == "page":
                self.create_page(old, self.root)
            else:
                self.create_database(old, self.root)
        done = set()
        while self.queue:
            old = self.queue.popleft()
            if old not in done:
                done.add(old)
                self.fill_page(old)
                self.api.progress(label=f"restore: {len(done)} pages filled, {len(self.queue)} queued")
        self.relations()
        self.fixups()


def walk(blocks):
    """Yield every block of a captured tree, depth first."""
    for block in blocks:
        yield block
        yield from walk(block.get("children") or [])


def restore_snapshot(settings, source, root_page_id, journal_path, dry_run=False):
    """Recreate a captured snapshot under `root_page_id`; return a report (the plan when dry_run)."""
    from notion_client.helpers import extract_notion_id
    root = extract_notion_id(str(root_page_id))
    if not root:
        raise ConfigError([f"restore root '{root_page_id}' is not a Notion page id or URL: pass --root with "
                           "the id or link of an existing page shared with the integration"])
    started = time.monotonic()
    api = PlanApi() if dry_run else NotionApi(ApiSettings.from_settings(settings))
    journal = Journal(None if dry_run else journal_path)
    try:
        if not dry_run:
            try:
                api.request("GET", f"pages/{root}", skip_missing=True)
            except NotionSkipped:
                raise ConfigError([f"restore root page {root} is not visible to the integration: share that "
                                   "page with it (page menu → Connections) or pass another --root"])
        restorer = Restorer(api, source, root, journal)
        restorer.run()
    finally:
        journal.close()
        api.close()
    report = {"dry_run": dry_run, "root": root, "source": source.describe(), "resumed": journal.resumed,
              "created": restorer.counts, "losses": restorer.losses, "requests": api.stats["requests"],
              "seconds": round(time.monotonic() - started, 2)}
    if dry_run:
        report["plan"] = api.plan
    log.info("restore %s: %s; %d losses listed in the report", "plan" if dry_run else "done",
             restorer.counts, len(restorer.losses))
    return report


def report_lines(report):
    """Return a restore report (or dry-run plan) as plain lines for a terminal or a CI log."""
    created = report["created"]
    verb = "would create" if report["dry_run"] else "created"
    lines = [f"restore of {report['source']} under page {report['root']}"
             + (" (resumed)" if report.get("resumed") else ""),
             f"{verb}: {created['pages']} pages, {created['databases']} databases, {created['rows']} rows, "
             f"{created['blocks']} blocks, {created['comments']} comments, {created['uploads']} uploads "
             f"in {report['requests']} requests"]
    for step in report.get("plan", []):
        detail = ", ".join(f"{k}={v}" for k, v in step.items() if k != "action")
        lines.append(f"  plan: {step['action']} {detail}")
    lines.append(f"not restored or changed ({len(report['losses'])}):" if report["losses"] else "nothing lost")
    lines += [f"  [{loss['kind']}] {loss['where']}: {loss['detail']}" for loss in report["losses"]]
    return lines
