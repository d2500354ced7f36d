"""Count what an export tree holds: Markdown, CSV, HTML, attachments, bytes, per top-level folder."""
import os
import re
from pathlib import Path

from lib.core.fsutil import read_json

KINDS = ("md", "csv", "csv_all", "html", "attachments")
# A page or database file as Notion names it: the id stays when the page is renamed or moved.
NOTION_FILE_RE = re.compile(r" ([0-9a-f]{32})((?:_all)?\.(?:md|csv))$")


def _empty():
    """Return a zeroed counter."""
    return {"md": 0, "csv": 0, "csv_all": 0, "html": 0, "attachments": 0, "files": 0, "bytes": 0}


def kind_of(name):
    """Return the counter a file name belongs to."""
    lower = name.lower()
    if lower.endswith("_all.csv"):
        return "csv_all"
    if lower.endswith(".csv"):
        return "csv"
    if lower.endswith(".md"):
        return "md"
    if lower.endswith((".html", ".htm")):
        return "html"
    return "attachments"


def count_tree(tree_dir):
    """Return {md, csv, csv_all, html, attachments, files, bytes, folders: {top: same counts}} for a tree."""
    root = Path(tree_dir)
    totals, folders = _empty(), {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel_dir = os.path.relpath(dirpath, root)
        # Files at the export root are counted under "." so the per-folder view adds up to the total.
        top = "." if rel_dir == "." else rel_dir.split(os.sep, 1)[0]
        for name in filenames:
            size = os.lstat(os.path.join(dirpath, name)).st_size
            kind = kind_of(name)
            for bucket in (totals, folders.setdefault(top, _empty())):
                bucket[kind] += 1
                bucket["files"] += 1
                bucket["bytes"] += size
    totals["folders"] = dict(sorted(folders.items()))
    return totals


def previous_pages(layout):
    """Return the promoted snapshot's page count (what Notion's next export counts, roughly), or None."""
    snapshot = read_json(layout.snapshot) or {}
    return (snapshot.get("counts") or {}).get("md") or None


def snapshot_changes(snapshot, previous):
    """Return {'added','removed','changed','moved'} between two snapshot manifests, or None without both.

    A page or database whose path changed but whose Notion id did not (renamed, or moved elsewhere) is
    one [old, new] pair in 'moved' instead of a removal and an addition.
    """
    if not previous or not snapshot:
        return None
    old = {f["path"]: f.get("sha256") for f in previous.get("files", [])}
    new = {f["path"]: f.get("sha256") for f in snapshot.get("files", [])}
    added, removed = sorted(set(new) - set(old)), sorted(set(old) - set(new))
    gone = {}
    for path in removed:
        match = NOTION_FILE_RE.search(path)
        if match:
            gone.setdefault(match.groups(), path)
    moved = []
    for path in added:
        match = NOTION_FILE_RE.search(path)
        if match and match.groups() in gone:
            moved.append([gone.pop(match.groups()), path])
    paired = {p for pair in moved for p in pair}
    return {"added": [p for p in added if p not in paired], "removed": [p for p in removed if p not in paired],
            "changed": sorted(p for p in set(new) & set(old) if new[p] != old[p]), "moved": moved}
