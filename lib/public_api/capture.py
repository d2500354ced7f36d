"""Public-API capture of a workspace into JSON (one document per page/database), incremental, within a time
budget: a run that runs out keeps what it fetched and the next one continues until one capture is complete."""
import logging
import time
from collections import deque
from pathlib import Path
from urllib.parse import unquote

from lib.core.clock import now_iso
from lib.core.fsutil import read_json, write_json_atomic
from lib.core.layout import CAPTURE_INDEX, CAPTURE_USERS
from lib.core.log import Progress
from lib.public_api.capture_page import PageFetcher, database_views, document_files, tree_links
from lib.public_api.capture_state import (FORMAT, Budget, finish, is_row, page_title, parent_ref, plain, prune,
                                          save_progress, starting_point)
from lib.public_api.client import NotionApi, NotionSkipped
from lib.public_api.markdown import write_markdown
from lib.public_api.page_markdown import PageMarkdown

log = logging.getLogger(__name__)


class OutOfTime(Exception):
    """The run's capture budget is spent: stop here, keep what was fetched."""


class Capture:
    """One capture run: discovery, tree walk, incremental reuse, index."""

    def __init__(self, api, json_dir, previous, comments, markdown=None, budget=None, expected=0):
        self.api = api
        self.markdown = markdown  # a PageMarkdown when page bodies should come from Notion's Markdown endpoint
        self.json_dir = Path(json_dir)
        self.previous = previous or {}
        self.budget = budget
        self.expected = expected  # objects the last complete capture held: the first guess of the total
        self.progress = Progress(log, "capture", unit="objects", scale=1, every=api.cfg["capture.progress_seconds"],
                                 estimate=True)
        self.fetcher = PageFetcher(api, self.json_dir / "files", comments)
        self.objects = {}
        self.queue = deque()
        self.search_hits = {}
        self.owner = {}
        self.counts = {"pages_fetched": 0, "pages_reused": 0, "databases_fetched": 0, "databases_reused": 0}
        self.waiting = 0

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
        """Capture one page (reusing the previous document when unchanged) and queue what it holds.

        A search hit stands for a page only outside databases: a row's properties come from its data source's
        query (with filter_properties) or from Retrieve a page, never from search (title only on 2026-12-01)."""
        if page is None:
            hit = self.search_hits.get(page_id)
            page = hit if hit and not is_row(hit) else self.api.request("GET", f"pages/{page_id}", skip_missing=True)
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
        views = doc.get("views") if doc else None
        if fresh:
            self.counts["databases_reused"] += 1
            containers = [d["data_source"] for d in doc["data_sources"]]
            database = doc["database"]
        else:
            views = None
            self.counts["databases_fetched"] += 1
            database = self.api.request("GET", f"databases/{db_id}", skip_missing=True)
            containers = [self.search_hits.get(ref["id"]) or self.api.request("GET", f"data_sources/{ref['id']}",
                                                                                 skip_missing=True)
                          for ref in database.get("data_sources", [])]
        entries = []
        for source in containers:
            rows = []
            wanted = {"filter_properties": [unquote(p["id"]) for p in (source.get("properties") or {}).values()]}
            for row in self.api.paginate("POST", f"data_sources/{source['id']}/query", query=wanted,
                                         skip_missing=True):
                rows.append(row["id"])
                self.owner.setdefault(row["id"], db_id)
                self.queue.append(("page", row["id"], row))
            entries.append({"data_source": source, "rows": rows})
        if views is None:
            views = database_views(self.api, db_id)
        doc = {"object": "database", "database": database, "data_sources": entries, "views": views}
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
        rows = []
        for hit in self.search_hits.values():
            if hit["object"] == "page":
                # A row found by search waits for its data source's query, which gives all its properties.
                if is_row(hit):
                    rows.append(hit["id"])
                else:
                    self.queue.append(("page", hit["id"], hit))
            else:
                self.queue.append(("database", hit["parent"].get("database_id"), None))
        self.waiting = len(rows)
        self.drain()
        self.queue.extend(("page", row, None) for row in rows if row not in self.objects)
        self.waiting = 0
        self.drain()
        self.fix_parents()

    def drain(self):
        """Capture what the queue holds, and what each capture adds to it."""
        while self.queue:
            kind, object_id, obj = self.queue.popleft()
            if object_id in self.objects or not object_id:
                continue
            fetched = self.fetched()
            try:
                self.do_page(object_id, obj) if kind == "page" else self.do_database(object_id)
            except NotionSkipped:
                continue
            # Only after new work: every run, however short its budget, moves the capture forward.
            out = self.budget is not None and self.fetched() > fetched and self.budget.spent()
            self.report(force=out or len(self.objects) % 25 == 0)
            if out:
                raise OutOfTime()

    def report(self, force=False):
        """A progress line: objects done of the estimated total, the estimated time left."""
        total = max(self.expected, len(self.objects) + len(self.queue) + self.waiting)
        self.progress.update(len(self.objects), total, force=force,
                             note=f"{self.fetched()} fetched in this run, {self.api.stats['requests']} requests")

    def fetched(self):
        """Objects fetched (not reused) in this run."""
        return self.counts["pages_fetched"] + self.counts["databases_fetched"]

    def fix_parents(self):
        """Use the walk's knowledge of which page holds a block-parented page; mark roots."""
        for object_id, entry in self.objects.items():
            owner = self.owner.get(object_id)
            if entry["parent"]["type"] == "block" and owner:
                entry["parent"] = {"type": "page", "id": owner, "block": entry["parent"]["id"]}
            entry["root"] = entry["parent"]["id"] not in self.objects


def capture_workspace(cfg, json_dir, markdown_dir=None, previous_index=None, budget_from=None):
    """Capture every shared page and database into `json_dir` (and Markdown); return a summary.

    The JSON capture alone (no `markdown_dir`) stops at NOTION_JSON_CAPTURE_BUDGET_MINUTES: it then records its
    progress, leaves index.json (the last complete capture) as it is and says `complete: false`; the next run
    reuses what this one fetched. `budget_from` (a time.monotonic() value) is when the budget started: the daily
    run's start, so that its snapshot is published within the budget. A Markdown export is the day's backup and
    runs to its end."""
    started = time.monotonic()
    json_dir = Path(json_dir)
    previous, progress = starting_point(json_dir, previous_index)
    budget = Budget(cfg["capture.budget_minutes"], budget_from) if markdown_dir is None else None
    api = NotionApi(cfg)
    try:
        pages_markdown = PageMarkdown(api) if markdown_dir is not None else None
        run = Capture(api, json_dir, previous, cfg["capture.comments"], pages_markdown, budget, len(previous))
        try:
            run.run()
        except OutOfTime:
            return stopped(run, api, json_dir, progress, started)
        users, user_skip = [], None
        try:
            users = list(api.paginate("GET", "users", skip_missing=True))
        except NotionSkipped as skip:
            user_skip = skip.code
        write_json_atomic(json_dir / CAPTURE_USERS, {"users": users, "skipped": user_skip})
    finally:
        api.close()
    dropped = prune(json_dir, run.objects, previous)
    index = {"format": FORMAT, "notion_version": api.version, "filter_properties": True,
             "captured_at": now_iso(),
             "objects": run.objects, "roots": sorted(i for i, e in run.objects.items() if e["root"]),
             "skipped": api.skipped}
    write_json_atomic(json_dir / CAPTURE_INDEX, index)
    finish(json_dir)
    summary = dict(run.counts, complete=True, runs=progress.get("runs", 0) + 1, objects=len(run.objects),
                   dropped=len(dropped), users=len(users), requests=api.stats["requests"],
                   retries=api.stats["retries"], rate_limited=api.stats["rate_limited"], skipped=len(api.skipped),
                   files=len({f for e in run.objects.values() for f in e["files"]}),
                   seconds=round(time.monotonic() - started, 2))
    if markdown_dir is not None:
        summary["markdown"] = dict(write_markdown(json_dir, markdown_dir), endpoint=pages_markdown.stats,
                                   endpoint_unavailable=pages_markdown.unavailable)
    api.progress(force=True, label="capture done")
    log.info("capture: %s", summary)
    return summary


def stopped(run, api, json_dir, progress, started):
    """The budget ran out: record the progress (not an index) and say how far the capture got."""
    objects = dict(progress.get("objects", {}))
    objects.update(run.objects)
    state = save_progress(json_dir, api.version, objects, progress, run.counts)
    left = len(run.queue) + run.waiting
    summary = dict(run.counts, complete=False, runs=state["runs"], objects=len(run.objects), queued=left,
                   expected=max(run.expected, len(run.objects) + left), requests=api.stats["requests"],
                   retries=api.stats["retries"], rate_limited=api.stats["rate_limited"], skipped=len(api.skipped),
                   seconds=round(time.monotonic() - started, 2))
    log.warning("capture: the time budget (NOTION_JSON_CAPTURE_BUDGET_MINUTES) ran out after %d of ~%d objects; "
                "what was fetched is kept and the next run continues (the last complete capture stays the one "
                "published)", summary["objects"], summary["expected"])
    return summary
