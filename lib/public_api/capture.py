"""Public-API capture of a workspace into JSON (one document per page/database), incremental."""
import logging
import os
import time
from collections import deque
from pathlib import Path

from lib.core.fsutil import read_json, write_json_atomic
from lib.core.layout import CAPTURE_INDEX, CAPTURE_USERS
from lib.public_api.capture_page import PageFetcher, document_files, tree_links
from lib.public_api.client import NotionApi, NotionSkipped
from lib.public_api.markdown import write_markdown
from lib.public_api.page_markdown import PageMarkdown
from lib.core.clock import now_iso

log = logging.getLogger(__name__)
FORMAT = 1


def page_title(page):
    """Return the plain title of a page object."""
    for prop in (page.get("properties") or {}).values():
        if prop.get("type") == "title":
            return "".join(t.get("plain_text", "") for t in prop.get("title") or [])
    return ""


def plain(rich):
    """Return the plain text of a rich-text array."""
    return "".join(t.get("plain_text", "") for t in rich or [])


def parent_ref(obj):
    """Return {type, id} for an object's parent as the index records it."""
    parent = obj.get("parent") or {}
    kind = parent.get("type")
    if kind == "page_id":
        return {"type": "page", "id": parent["page_id"]}
    if kind in ("data_source_id", "database_id"):
        return {"type": "database", "id": parent.get("database_id") or parent.get(kind)}
    if kind == "block_id":
        return {"type": "block", "id": parent["block_id"]}
    return {"type": "workspace", "id": None}


class Capture:
    """One capture run: discovery, tree walk, incremental reuse, index."""

    def __init__(self, api, json_dir, previous, comments, markdown=None):
        self.api = api
        self.markdown = markdown  # a PageMarkdown when page bodies should come from Notion's Markdown endpoint
        self.json_dir = Path(json_dir)
        self.previous = (previous or {}).get("objects", {})
        self.fetcher = PageFetcher(api, self.json_dir / "files", comments)
        self.objects = {}
        self.queue = deque()
        self.search_hits = {}
        self.owner = {}
        self.counts = {"pages_fetched": 0, "pages_reused": 0, "databases_fetched": 0, "databases_reused": 0}

    def reusable(self, object_id, edited):
        """Return the previous document of an object when its last_edited_time is unchanged."""
        prev = self.previous.get(object_id)
        if prev and edited and prev.get("last_edited_time") == edited:
            return read_json(self.json_dir / prev["path"])
        return None

    def enqueue_found(self, found):
        """Queue child pages and databases found in a block tree, remembering their owner page."""
        for item in found:
            self.owner.setdefault(item["id"], item["owner"])
            self.queue.append((item["kind"], item["id"], None))

    def do_page(self, page_id, page):
        """Capture one page (reusing the previous document when unchanged) and queue what it holds."""
        if page is None:
            page = self.search_hits.get(page_id) or self.api.request("GET", f"pages/{page_id}", skip_missing=True)
        found = []
        path = f"pages/{page_id}.json"
        doc = self.reusable(page_id, page.get("last_edited_time"))
        fresh = doc is None
        if fresh:
            doc = self.fetcher.page_document(page, found)
            self.counts["pages_fetched"] += 1
        else:
            tree_links(doc["blocks"], page_id, found)
            self.counts["pages_reused"] += 1
        if (self.markdown is not None and self.markdown.ensure(doc)) or fresh:
            write_json_atomic(self.json_dir / path, doc)
        self.objects[page_id] = {"type": "page", "path": path, "title": page_title(doc["page"]),
                                 "last_edited_time": doc["page"].get("last_edited_time"),
                                 "parent": parent_ref(doc["page"]),
                                 "files": sorted(document_files(doc, set()))}
        self.enqueue_found(found)

    def do_database(self, db_id):
        """Capture a database container, its data sources and row ids; queue the rows."""
        sources = [h for h in self.search_hits.values()
                   if h["object"] == "data_source" and h["parent"].get("database_id") == db_id]
        prev = self.previous.get(db_id)
        doc = read_json(self.json_dir / prev["path"]) if prev else None
        fresh = doc is not None and sources and len(sources) == len(doc["data_sources"]) and all(
            any(d["data_source"]["id"] == s["id"] and d["data_source"].get("last_edited_time") == s["last_edited_time"]
                for d in doc["data_sources"]) for s in sources)
        if fresh:
            self.counts["databases_reused"] += 1
            containers = [d["data_source"] for d in doc["data_sources"]]
            database = doc["database"]
        else:
            self.counts["databases_fetched"] += 1
            database = self.api.request("GET", f"databases/{db_id}", skip_missing=True)
            containers = [self.search_hits.get(ref["id"]) or self.api.request("GET", f"data_sources/{ref['id']}",
                                                                                 skip_missing=True)
                          for ref in database.get("data_sources", [])]
        entries = []
        for source in containers:
            rows = []
            for row in self.api.paginate("POST", f"data_sources/{source['id']}/query", skip_missing=True):
                rows.append(row["id"])
                self.owner.setdefault(row["id"], db_id)
                self.queue.append(("page", row["id"], row))
            entries.append({"data_source": source, "rows": rows})
        doc = {"object": "database", "database": database, "data_sources": entries}
        path = f"databases/{db_id}.json"
        write_json_atomic(self.json_dir / path, doc)
        self.objects[db_id] = {"type": "database", "path": path, "title": plain(database.get("title")),
                               "last_edited_time": max([s.get("last_edited_time") or "" for s in containers]
                                                       + [database.get("last_edited_time") or ""]),
                               "parent": parent_ref(database), "data_sources": [s["id"] for s in containers],
                               "files": []}

    def run(self):
        """Discover with search, then walk the tree until nothing new is found."""
        for hit in self.api.paginate("POST", "search", body={}):
            self.search_hits[hit["id"]] = hit
        log.info("search found %d pages and data sources", len(self.search_hits))
        for hit in self.search_hits.values():
            if hit["object"] == "page":
                self.queue.append(("page", hit["id"], hit))
            else:
                self.queue.append(("database", hit["parent"].get("database_id"), None))
        while self.queue:
            kind, object_id, obj = self.queue.popleft()
            if object_id in self.objects or not object_id:
                continue
            try:
                self.do_page(object_id, obj) if kind == "page" else self.do_database(object_id)
            except NotionSkipped:
                continue
            if len(self.objects) % 25 == 0:
                self.api.progress(force=True, label=f"capture: {len(self.objects)} objects, queue {len(self.queue)}")
        self.fix_parents()

    def fix_parents(self):
        """Use the walk's knowledge of which page holds a block-parented page; mark roots."""
        for object_id, entry in self.objects.items():
            owner = self.owner.get(object_id)
            if entry["parent"]["type"] == "block" and owner:
                entry["parent"] = {"type": "page", "id": owner, "block": entry["parent"]["id"]}
            entry["root"] = entry["parent"]["id"] not in self.objects


def capture_workspace(cfg, json_dir, markdown_dir=None, previous_index=None):
    """Capture every shared page and database into `json_dir` (and Markdown); return a summary."""
    started = time.monotonic()
    json_dir = Path(json_dir)
    if previous_index is None:
        previous_index = read_json(json_dir / CAPTURE_INDEX)
    if previous_index and previous_index.get("format") != FORMAT:
        log.info("previous capture has format %s, not %s: capturing everything again",
                 previous_index.get("format"), FORMAT)
        previous_index = None
    api = NotionApi(cfg)
    comments = cfg["capture.comments"]
    try:
        pages_markdown = PageMarkdown(api) if markdown_dir is not None else None
        run = Capture(api, json_dir, previous_index, comments, pages_markdown)
        run.run()
        users, user_skip = [], None
        try:
            users = list(api.paginate("GET", "users", skip_missing=True))
        except NotionSkipped as skip:
            user_skip = skip.code
        write_json_atomic(json_dir / CAPTURE_USERS, {"users": users, "skipped": user_skip})
    finally:
        api.close()
    dropped = prune(json_dir, run.objects, (previous_index or {}).get("objects", {}))
    index = {"format": FORMAT, "notion_version": api.version,
             "captured_at": now_iso(),
             "objects": run.objects, "roots": sorted(i for i, e in run.objects.items() if e["root"]),
             "skipped": api.skipped}
    write_json_atomic(json_dir / CAPTURE_INDEX, index)
    summary = dict(run.counts, objects=len(run.objects), dropped=len(dropped), users=len(users),
                   requests=api.stats["requests"], retries=api.stats["retries"],
                   rate_limited=api.stats["rate_limited"], skipped=len(api.skipped),
                   files=len({f for e in run.objects.values() for f in e["files"]}),
                   seconds=round(time.monotonic() - started, 2))
    if markdown_dir is not None:
        summary["markdown"] = dict(write_markdown(json_dir, markdown_dir), endpoint=pages_markdown.stats,
                                   endpoint_unavailable=pages_markdown.unavailable)
    api.progress(force=True, label="capture done")
    log.info("capture: %s", summary)
    return summary


def prune(json_dir, objects, previous):
    """Delete documents of objects that disappeared and files nothing references any more."""
    dropped = [i for i in previous if i not in objects]
    for object_id in dropped:
        target = json_dir / previous[object_id]["path"]
        if target.exists():
            os.unlink(target)
        log.info("dropped %s %s (deleted or no longer shared)", previous[object_id]["type"], object_id)
    keep = {f for e in objects.values() for f in e["files"]}
    files_dir = json_dir / "files"
    if files_dir.is_dir():
        for entry in files_dir.iterdir():
            if f"files/{entry.name}" not in keep:
                entry.unlink()
    return dropped
