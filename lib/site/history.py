"""The site's history: each page's versions, the earlier versions and diffs to (re)build, deleted pages."""
import hashlib
import os

from lib.core.notion_names import page_key
from lib.site import history_pages as hp
from lib.core.notion_names import title_of
from lib.site.pool import chunked_map
from lib.site.history_worker import init_history_worker, render_history_chunk
from lib.site.state import link_sig
from lib.core.textdiff import as_text

POOL_MIN = 100


def current_keys(index):
    """Return {key: source} of every page and database of the current site (a database by its main CSV)."""
    keys = {}
    for src in sorted(index.kind):
        kind = index.kind[src]
        if kind == "page" or (kind == "db" and index.node_of(src) == src):
            keys.setdefault(page_key(src), src)
    return keys


def timelines(history):
    """Return {key: [events in snapshot order]}."""
    by_key = {}
    for event in history["events"]:
        by_key.setdefault(event["key"], []).append(event)
    return by_key


def versions(events):
    """Return a page's versions oldest first as (snapshot number, blob, path): the one before the first change
    (when the page was there already), then each change's result."""
    first, out = events[0], []
    if first["kind"] != "added" and first.get("old_blob"):
        out.append((0, first["old_blob"], first.get("old_path") or first["path"]))
    out += [(e["snap"], e["blob"], e["path"]) for e in events if e.get("blob")]
    return out


def heading_title(data, path):
    """Return the title of a version: its '# ' line, else the one in its file name."""
    first = as_text(data or b"")[:4096].lstrip("\n").split("\n", 1)[0]
    return first[2:].strip() if first.startswith("# ") and first[2:].strip() else title_of(path)


def trail_of(path):
    """Return where a file was, as folder titles."""
    return " / ".join(title_of(part + ".md") for part in path.split("/")[:-1])


def render_items(items, ctx, workers):
    """Render `items` (earlier versions and diffs), in worker processes when it pays; return {site path: facts}."""
    return chunked_map(items, render_history_chunk, init_history_worker, ctx, workers, POOL_MIN)


class HistoryBuild:
    """One render of the history part of the site, reusing what the previous render wrote."""

    def __init__(self, index, titles, history, read_blob, site, official, old, relink):
        self.index, self.titles, self.history, self.read, self.site = index, titles, history, read_blob, site
        self.old = old.get("outputs", {})
        self.old_deleted = old.get("deleted", {})
        self.relink = relink
        self.now = current_keys(index)
        self.lines = timelines(history)
        self.snaps = history["snapshots"]
        self.info, self.todo, self.kept, self.missing, self.texts = {}, [], {}, set(), {}
        self.latest = {}    # export path -> its diff page, for what the newest snapshot changed
        self.diffs = {}     # (key, snapshot number) -> the page of that change
        # The promoted snapshot is not committed yet: its versions are the files of official/.
        self.on_disk = {e["blob"]: os.path.join(official, e["path"]) for e in history["events"]
                        if e.get("blob") and self.snaps[e["snap"]]["commit"] is None}

    def text(self, blob):
        """Return a version's bytes (None when this repository does not hold it), read once."""
        if blob not in self.texts and blob in self.on_disk:
            with open(self.on_disk[blob], "rb") as handle:
                self.texts[blob] = handle.read()
        elif blob not in self.texts:
            self.texts[blob] = self.read(blob) if self.read else None
        return self.texts[blob]

    def page_info(self, key):
        """Return what the history pages say about one key: title, type, the page now or when it went."""
        events = self.lines.get(key, [])
        src = self.now.get(key)
        if src is not None:
            return {"key": key, "type": "db" if self.index.kind[src] == "db" else "page",
                    "title": self.titles.get(src) or title_of(src), "current": self.index.out[src]}
        last = events[-1]
        remembered = self.old_deleted.get(key, {})
        if remembered.get("blob") == last["old_blob"]:
            title = remembered["title"]
        else:
            title = heading_title(self.text(last["old_blob"]), last["path"]) if last["type"] == "page" \
                else title_of(last["path"])
        return {"key": key, "type": last["type"], "title": title, "current": None,
                "deleted": self.snaps[last["snap"]]["date"][:10], "path": last["path"], "blob": last["old_blob"]}

    def want(self, out, item):
        """Schedule one version or diff page unless the previous render wrote the same one."""
        info = item["info"]
        # A plain join: thousands of versions are looked at on every render, hashing JSON for each costs.
        item["digest"] = "\0".join([item["kind"], info["title"], info.get("current") or "", info.get("deleted") or "",
                                    hp.snapshot_label(item["snapshot"]), item["path"], item.get("version") or "",
                                    item.get("old_path") or "", item.get("format") or "", *item["blobs"]])
        prev = self.old.get(out)
        if prev and prev.get("digest") == item["digest"] and os.path.exists(os.path.join(self.site, out)):
            if not self.relink or not prev.get("links") or link_sig(self.index, prev["links"], prev["src"]) == prev["sig"]:
                self.kept[out] = prev
                return True
        texts = [self.text(b) for b in item["blobs"]]
        if any(t is None for t in texts):
            # Not in this repository (a shallow fetch): keep what an earlier render wrote, if anything.
            path = os.path.join(self.site, out)
            if os.path.exists(path):
                with open(path, "rb") as handle:
                    data = handle.read()
                self.kept[out] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "digest": None}
                return True
            self.missing.add(out)
            return False
        item.update(out=out, text=texts[-1], old=texts[0], new=texts[-1])
        self.todo.append(item)
        return True

    def rows(self, key, info):
        """Plan one key's versions and diffs; return its history rows, newest first."""
        events = self.lines[key]
        live = events[-1].get("blob") if info.get("current") else None
        views = {}
        for snap, blob, path in versions(events):
            if blob in views:
                continue
            if blob == live:
                views[blob] = info["current"]
                continue
            out = hp.version_page(key, blob)
            item = {"kind": "version", "info": info, "snapshot": self.snaps[snap], "blobs": [blob], "path": path,
                    "type": events[0]["type"]}
            views[blob] = out if self.want(out, item) else None
        rows = []
        for event in reversed(events):
            diff = None
            if event.get("old_blob") and event.get("blob") and event["old_blob"] != event["blob"]:
                diff = hp.diff_page(key, event["old_blob"], event["blob"])
                item = {"kind": "diff", "info": info, "snapshot": self.snaps[event["snap"]], "type": event["type"],
                        "blobs": [event["old_blob"], event["blob"]], "version": views.get(event["blob"]),
                        "path": event["path"], "old_path": event.get("old_path"), "format": hp.DIFF_FORMAT}
                diff = diff if self.want(diff, item) else None
                if diff:
                    self.diffs[(key, event["snap"])] = diff
                if diff and event["snap"] == len(self.snaps) - 1:
                    self.latest[event["path"]] = diff
            change = hp.KINDS[event["kind"]]
            if event["kind"] in ("renamed", "moved") and event.get("old_path"):
                was = title_of(event["old_path"]) if event["kind"] == "renamed" else trail_of(event["old_path"])
                change += " (was %s)" % (was or "at the top")
            rows.append({"when": hp.snapshot_label(self.snaps[event["snap"]]), "change": hp.E(change),
                         "added": event["added"], "removed": event["removed"], "diff": diff,
                         "view": views.get(event.get("blob")),
                         "unavailable": bool(event.get("blob")) and views.get(event["blob"]) is None})
        if events[0]["kind"] != "added" and events[0].get("old_blob"):
            blob = events[0]["old_blob"]
            start = "in the first snapshot" if self.history.get("first") else "as the history here starts"
            rows.append({"when": hp.snapshot_label(self.snaps[0]), "change": start,
                         "view": views.get(blob), "unavailable": views.get(blob) is None})
        return rows
