"""Restore of a public-API capture into Notion under one page: resumable, id-remapping, reported."""
import logging
import time
from collections import deque

from notion_client.helpers import extract_notion_id

from lib.core.errors import ConfigError
from lib.public_api.client import NotionApi, NotionSkipped
from lib.public_api.restore.adopt import Adopter
from lib.public_api.restore.append import BlockAppender
from lib.public_api.restore.block_tree import STRUCTURAL, walk
from lib.public_api.restore.blocks import Converter
from lib.public_api.restore.comments import CommentRestorer
from lib.public_api.restore.fixups import LinkFixups
from lib.public_api.restore.journal import Journal
from lib.public_api.restore.live import LiveCheck
from lib.public_api.restore.pages import PageCreator
from lib.public_api.restore.plan import PlanApi
from lib.public_api.restore.relations import RelationPhase
from lib.public_api.restore.report import RestoreReport
from lib.public_api.restore.captured import Snapshot
from lib.public_api.restore.sources import DirSource, GitTreeSource
from lib.public_api.restore.uploads import Uploader

log = logging.getLogger(__name__)
__all__ = ["restore_snapshot", "DirSource", "GitTreeSource"]


class Restorer:
    """Runs one restore: the roots and their page trees, then relations and link fixups."""

    def __init__(self, api, source, root, journal, page=None):
        self.api, self.root, self.journal = api, root, journal
        self.snapshot = Snapshot(source)
        # One page's subtree: only what lies below it is created; links out of it go to the live pages.
        self.page = self.snapshot.find(page) if page else None
        chosen = self.snapshot.subtree(self.page) if self.page else set(self.snapshot.objects)
        self.report = RestoreReport()
        self.to_fill = deque()
        uploader = Uploader(api, source, self.report)
        converter = Converter(journal.map, chosen, root, self.report.loss, uploader.placeholder,
                              LiveCheck(api, self.snapshot) if self.page else None)
        self.pages = PageCreator(api, journal, self.snapshot, converter, uploader, self.report, self.to_fill.append)
        self.appender = BlockAppender(api, journal, self.snapshot, converter, uploader, self.report, self.pages)
        self.comments = CommentRestorer(api, journal, self.snapshot, converter, self.report)
        self.relations = RelationPhase(api, journal, self.snapshot, converter, self.report)
        self.fixups = LinkFixups(api, journal, self.snapshot, converter, self.report)
        self.adopter = Adopter(api, journal)

    def run(self):
        """Restore everything: roots, their trees, then relations and link fixups."""
        if self.journal.resumed:
            log.info("resuming restore from journal (%d objects already created)", len(self.journal.map))
            self.adopter.adopt()
        for old in [self.page] if self.page else self.snapshot.roots():
            self.pages.create(old, self.root)
        filled = set()
        while self.to_fill:
            old = self.to_fill.popleft()
            if old not in filled:
                filled.add(old)
                self.fill_page(old)
                self.api.progress(label=f"restore: {len(filled)} pages filled, {len(self.to_fill)} queued")
        self.relations.run()
        self.fixups.run()

    def fill_page(self, old):
        """Append a page's blocks (creating its sub-pages in place) and its comments."""
        doc = self.snapshot.document(old)
        key = f"content:{old}"
        if key in self.journal.done:
            # The content is in Notion already; its sub-pages may still be missing or unfilled.
            for block in walk(doc["blocks"]):
                if block.get("type") in STRUCTURAL:
                    self.pages.create_child(block, old)
            return
        self.appender.append_page(old, self.journal.map[old], doc["blocks"])
        self.comments.restore(old, doc)
        self.journal.write({"op": "done", "key": key})


def restore_snapshot(cfg, source, root_page_id, journal_path, dry_run=False, page=None):
    """Recreate a captured snapshot (or only the subtree of `page`: id, URL or title) under `root_page_id`;
    return a report (the plan when dry_run)."""
    root = extract_notion_id(str(root_page_id))
    if not root:
        raise ConfigError([f"restore root '{root_page_id}' is not a Notion page id or URL: pass --root with "
                           "the id or link of an existing page shared with the integration"])
    started = time.monotonic()
    api = PlanApi() if dry_run else NotionApi(cfg)
    journal = Journal(None if dry_run else journal_path)
    try:
        if not dry_run:
            try:
                api.request("GET", f"pages/{root}", skip_missing=True)
            except NotionSkipped:
                raise ConfigError([f"restore root page {root} is not visible to the integration: share that "
                                   "page with it (page menu → Connections) or pass another --root"])
        restorer = Restorer(api, source, root, journal, page)
        restorer.run()
    finally:
        journal.close()
        api.close()
    report = {"dry_run": dry_run, "root": root, "source": source.describe(), "resumed": journal.resumed,
              "page": restorer.snapshot.where(restorer.page) if restorer.page else None,
              "created": restorer.report.counts, "losses": restorer.report.losses, "requests": api.stats["requests"],
              "seconds": round(time.monotonic() - started, 2)}
    if dry_run:
        report["plan"] = api.plan
    log.info("restore %s: %s; %d losses listed in the report", "plan" if dry_run else "done",
             restorer.report.counts, len(restorer.report.losses))
    return report


def report_lines(report):
    """Return a restore report (or dry-run plan) as plain lines for a terminal or a CI log."""
    created = report["created"]
    verb = "would create" if report["dry_run"] else "created"
    what = f"{report['page']} and what lies below it, from " if report.get("page") else ""
    lines = [f"restore of {what}{report['source']} under page {report['root']}"
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
