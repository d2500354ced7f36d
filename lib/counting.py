"""Count what an export tree holds: Markdown, CSV, HTML, attachments, bytes, per top-level folder."""
import os
from pathlib import Path

from lib.fsutil import read_json

KINDS = ("md", "csv", "csv_all", "html", "attachments")


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
