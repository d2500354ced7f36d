"""What a public-API capture keeps between runs: the index of a complete capture, the progress of an unfinished
one, the time budget of a run, and the pruning of what disappeared."""
import logging
import os
import time

from lib.core.fsutil import read_json, write_json_atomic
from lib.core.layout import CAPTURE_INDEX, CAPTURE_PROGRESS

log = logging.getLogger(__name__)
FORMAT = 1
# From this Notion-Version on, list answers hold the title only unless filter_properties names the rest; a
# format-1 capture taken on it before the capture asked for them has rows without their properties.
TITLE_ONLY_LISTS = "2026-12-01"
ROW_PARENTS = ("data_source_id", "database_id")


def page_title(page):
    """Return the plain title of a page object."""
    for prop in (page.get("properties") or {}).values():
        if prop.get("type") == "title":
            return "".join(t.get("plain_text", "") for t in prop.get("title") or [])
    return ""


def plain(rich):
    """Return the plain text of a rich-text array."""
    return "".join(t.get("plain_text", "") for t in rich or [])


def is_row(page):
    """Tell whether a page object is a database row."""
    return (page.get("parent") or {}).get("type") in ROW_PARENTS


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


def usable(saved, what):
    """`saved` (an index or a progress file) when a capture may build on it, else None with the reason logged."""
    if not saved:
        return None
    if saved.get("format") != FORMAT:
        log.info("%s has format %s, not %s: capturing everything again", what, saved.get("format"), FORMAT)
        return None
    if (saved.get("notion_version") or "") >= TITLE_ONLY_LISTS and not saved.get("filter_properties"):
        log.warning("%s was taken on Notion-Version %s without filter_properties: its rows may lack their "
                    "properties, capturing everything again", what, saved.get("notion_version"))
        return None
    return saved


def starting_point(json_dir, previous_index):
    """(previous objects to reuse, progress of an unfinished capture or {}) for a capture into `json_dir`."""
    if previous_index is None:
        previous_index = read_json(json_dir / CAPTURE_INDEX)
    previous = usable(previous_index, "previous capture") or {}
    progress = usable(read_json(json_dir / CAPTURE_PROGRESS), "unfinished capture") or {}
    objects = dict(previous.get("objects", {}))
    objects.update(progress.get("objects", {}))  # what the unfinished capture fetched is newer
    return objects, progress


def save_progress(json_dir, version, objects, progress, counts):
    """Record how far an unfinished capture got; the next run continues from there."""
    state = {"format": FORMAT, "notion_version": version, "filter_properties": True,
             "started_at": progress.get("started_at"), "runs": progress.get("runs", 0) + 1,
             "fetched": progress.get("fetched", 0) + counts["pages_fetched"] + counts["databases_fetched"],
             "objects": objects}
    write_json_atomic(json_dir / CAPTURE_PROGRESS, state)
    return state


def finish(json_dir):
    """Forget the progress of an unfinished capture: the capture is complete."""
    target = json_dir / CAPTURE_PROGRESS
    if target.exists():
        os.unlink(target)


class Budget:
    """The time one run may spend capturing (NOTION_JSON_CAPTURE_BUDGET_MINUTES)."""

    def __init__(self, minutes, started=None):
        self.seconds, self.started = minutes * 60, time.monotonic() if started is None else started

    def spent(self):
        """Tell whether the run's time is up."""
        return time.monotonic() - self.started >= self.seconds


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
