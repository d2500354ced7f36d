"""The sidebar's data in parts: nav.js holds the top level; each folder's list lives in one of a few part files.

A page names the lists of its ancestors (their keys, in its breadcrumbs), so it loads the top level and one
part per level above it: tens of KB at 50,000 pages where one file of the whole tree was 6 MB. Parts are
chosen by key, so a page never has to be rendered again when the tree grows.
"""
import hashlib
import json
import math
import posixpath

NAV_JS = "_site/nav.js"
PART_DIR = "_site/nav/"
PART_BYTES = 12000      # the average part's size: the number of parts follows the tree's size
CHUNK = 300             # entries per piece of a long list: "more" loads the next piece


def nav_key(node):
    """Return the key of the sidebar list holding `node`'s children (node: a source path, 'dir:…' or '' for the
    top level): 12 hex digits, the first 8 choosing its part."""
    return hashlib.sha1(node.encode("utf-8")).hexdigest()[:12]


ROOT_KEY = nav_key("")


def part_of(key, piece, parts):
    """Return the part holding piece `piece` of list `key` (site.js computes the same)."""
    return (int(key[:8], 16) + piece) % parts


def _lists(nodes):
    """Return {key: {"d": folder, "n": [[title, path, kind, child key or ""]]}} of a nav_nodes tree."""
    keys = [nav_key(n[4]) for n in nodes]
    has_kids = {n[2] for n in nodes}
    grouped = {}
    for i, (title, path, parent, kind, _) in enumerate(nodes):
        grouped.setdefault(ROOT_KEY if parent < 0 else keys[parent], []).append(
            [title, path, kind, keys[i] if i in has_kids else ""])
    lists = {}
    for key, entries in grouped.items():
        # Paths are kept relative to the folder of the list's first page ('/'-led when elsewhere): the
        # entries of a list share a long folder name.
        folder = next((posixpath.dirname(e[1]) for e in entries if e[1]), "")
        for entry in entries:
            if folder and entry[1].startswith(folder + "/"):
                entry[1] = entry[1][len(folder) + 1:]
            elif folder:
                entry[1] = "/" + entry[1]
        lists[key] = {"d": folder, "n": entries}
    return lists


def nav_files(nodes):
    """Return {site path: text}: nav.js (the top level's first piece, the number of parts) and every part."""
    lists = _lists(nodes)
    pieces = {}
    for key, entry in lists.items():
        items = entry["n"]
        count = max(1, math.ceil(len(items) / CHUNK))
        for piece in range(count):
            data = {"d": entry["d"], "n": items[piece * CHUNK:(piece + 1) * CHUNK]}
            if piece == 0 and count > 1:
                data["c"] = count
            pieces[(key, piece)] = data
    size = sum(len(json.dumps(p, ensure_ascii=False)) for p in pieces.values())
    parts = max(1, round(size / PART_BYTES))
    root = pieces.pop((ROOT_KEY, 0), {"d": "", "n": []})
    files = {PART_DIR + "%d.js" % n: {} for n in range(parts)}
    for (key, piece), data in sorted(pieces.items()):
        files[PART_DIR + "%d.js" % part_of(key, piece, parts)][key + ("~%d" % piece if piece else "")] = data
    out = {rel: "window.SITE_NAV_PART(%s,%s);\n" % (rel[len(PART_DIR):-3], _json(data)) for rel, data in files.items()}
    out[NAV_JS] = "window.SITE_NAV=" + _json({"parts": parts, "root": ROOT_KEY, "top": root}) + ";\n"
    return out


def _json(data):
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
