"""Build the history part of the site: history pages, earlier versions, diffs, the snapshots overview and the
list of deleted pages, and search entries for those deleted pages."""
import hashlib
import logging
import os
import time

from lib.site import history_pages as hp
from lib.site.history import HistoryBuild, render_items, trail_of
from lib.site.nav import page_shell
from lib.site.site_paths import digest
from lib.site.search import tokens
from lib.site.worker import write_atomic
from lib.core.textdiff import as_text

log = logging.getLogger(__name__)


def _write(site, rel, data, old_outputs, outputs):
    """Write a generated page when its bytes changed (or it is gone); record it among the outputs."""
    sha = hashlib.sha256(data).hexdigest()
    if old_outputs.get(rel, {}).get("sha256") != sha or not os.path.exists(os.path.join(site, rel)):
        write_atomic(os.path.join(site, rel), data)
    outputs[rel] = {"size": len(data), "sha256": sha}


def _deleted_entry(build, key, info):
    """Return the deleted list's row and search entry of a deleted page, and what to remember of it."""
    last = hp.version_page(key, info["blob"])
    remembered = build.old_deleted.get(key, {})
    if remembered.get("blob") == info["blob"] and "tokens" in remembered:
        words = remembered["tokens"]
    else:
        words = " ".join(tokens(info["title"] + "\n" + as_text(build.text(info["blob"]) or b"")))
    item = {"key": key, "title": info["title"], "trail": trail_of(info["path"]), "deleted": info["deleted"],
            "last": last if last not in build.missing else hp.history_page(key)}
    entry = (info["title"] + " (deleted)", item["last"], "deleted %s from %s" % (info["deleted"], item["trail"] or
                                                                                 "the top level"), words.split())
    return item, entry, {"blob": info["blob"], "title": info["title"], "tokens": words}


def build_history(index, titles, history, read_blob, site, official, old, relink, old_outputs, workers=2):
    """Render the history of every page into `site`; return {outputs, search, state, facts}."""
    started = time.monotonic()
    build = HistoryBuild(index, titles, history, read_blob, site, official, old, relink)
    deleted_keys = [k for k, events in build.lines.items() if k not in build.now and events[-1]["kind"] == "removed"]
    rows, changed = {}, {}
    for key in sorted(set(build.now) | set(deleted_keys)):
        info = build.info[key] = build.page_info(key)
        rows[key] = build.rows(key, info) if key in build.lines else []
        for event in build.lines.get(key, ()):
            changed.setdefault(event["snap"], []).append((info["title"], event["kind"], hp.history_page(key),
                                                          build.diffs.get((key, event["snap"]))))
    rendered = render_items(build.todo, {"index": index, "titles": titles, "site": site}, workers) if build.todo else {}
    state_outputs = dict(build.kept, **rendered)
    outputs = {rel: {"size": facts["size"], "sha256": facts["sha256"]} for rel, facts in state_outputs.items()}
    deleted, search, remembered = [], [], {}
    for key in deleted_keys:
        item, entry, remembered[key] = _deleted_entry(build, key, build.info[key])
        deleted.append(item)
        search.append(entry)
    deleted.sort(key=lambda item: (item["deleted"], item["title"]), reverse=True)
    pages, old_pages = {}, old.get("pages", {})
    for key, info in build.info.items():
        rel = hp.history_page(key)
        # What the page says: only a page whose versions, title or place changed is written again.
        pages[key] = digest(info, rows[key], hp.start_note(history)) if rows[key] else \
            info["title"] + "\0" + (info.get("current") or "")
        if old_pages.get(key) == pages[key] and rel in old_outputs and os.path.exists(os.path.join(site, rel)):
            outputs[rel] = old_outputs[rel]
            continue
        trail = [(info["title"], hp.href(info["current"], rel))] if info.get("current") else []
        article = hp.history_article(info, rows[key], history, rel)
        _write(site, rel, page_shell("History: " + info["title"], article, rel, trail, "history").encode("utf-8"),
               old_outputs, outputs)
    for items in changed.values():
        items.sort(key=lambda item: (item[0].lower(), item[2]))
    article = hp.overview_article(history, changed, hp.OVERVIEW)
    _write(site, hp.OVERVIEW, page_shell("Snapshots", article, hp.OVERVIEW, [], "report").encode("utf-8"),
           old_outputs, outputs)
    article = hp.deleted_article(deleted, history, hp.DELETED)
    _write(site, hp.DELETED, page_shell("Deleted pages", article, hp.DELETED, [], "report").encode("utf-8"),
           old_outputs, outputs)
    facts = {"pages": len(build.info), "deleted": len(deleted), "rendered": len(rendered), "reused": len(build.kept),
             "unavailable": len(build.missing), "snapshots": len(history["snapshots"]),
             "start": hp.start_note(history), "seconds": round(time.monotonic() - started, 3)}
    log.info("site history: %d pages, %d deleted, %d snapshots; %d versions and diffs rendered, %d reused, "
             "%d not in this repository, %.1f s", facts["pages"], facts["deleted"], facts["snapshots"],
             facts["rendered"], facts["reused"], facts["unavailable"], facts["seconds"])
    state = {"outputs": state_outputs, "deleted": remembered, "pages": pages}
    return {"outputs": outputs, "search": search, "state": state, "facts": facts, "deleted": deleted,
            "diffs": build.latest}
