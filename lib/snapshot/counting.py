"""Count what an export tree holds: Markdown, CSV, HTML, attachments, bytes, per top-level folder."""
import os
from pathlib import Path

from lib.core.fsutil import read_json
from lib.core.notion_names import file_kind, kind_of, split_stem, stem_of

KINDS = ("md", "csv", "csv_all", "html", "attachments")


def _empty():
    """Return a zeroed counter."""
    return {"md": 0, "csv": 0, "csv_all": 0, "html": 0, "attachments": 0, "files": 0, "bytes": 0}


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
            kind = file_kind(name)
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
        key = _identity(path)
        if key:
            gone.setdefault(key, path)
    moved = []
    for path in added:
        key = _identity(path)
        if key and key in gone:
            moved.append([gone.pop(key), path])
    paired = {p for pair in moved for p in pair}
    return {"added": [p for p in added if p not in paired], "removed": [p for p in removed if p not in paired],
            "changed": sorted(p for p in set(new) & set(old) if new[p] != old[p]), "moved": moved}


def _identity(path):
    """Return what keeps a page or database file the same through a rename or move: its Notion id and kind."""
    ident = split_stem(stem_of(path))[1] if kind_of(path) else None
    return (ident, file_kind(path)) if ident else None
