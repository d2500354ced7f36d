"""Path helpers for the site: database CSV pairs, relative site paths, digests, tree scans (names: lib.core.notion_names)."""
import hashlib
import json
import os
import posixpath
import re

from lib.core.notion_names import db_stem, split_stem

SITE_DIR = "_site"
ATTACHMENT_RE = re.compile(r"\.(?!md$|csv$|html?$)[A-Za-z0-9]{1,8}$")


def pair_databases(csvs):
    """Pair each database's two CSVs (`X <id>.csv`, `X <id>_all.csv`); return {key: {csv, all}}.

    The pair is found by folder and Notion id, so it survives unpack shortening one of the two names
    (the `_all` twin is 4 bytes longer); the key is the first CSV's path without `.csv` and `_all`.
    """
    dbs, by_id = {}, {}
    for rel in sorted(csvs):
        stem = db_stem(rel)
        slot = "all" if rel[:-4].endswith("_all") else "csv"
        folder, base = posixpath.split(stem)
        ident = split_stem(base)[1]
        key = by_id.get((folder, ident), stem) if ident else stem
        if dbs.get(key, {}).get(slot):  # two CSVs of one id and kind (a renamed namesake): each its own
            key = stem
        dbs.setdefault(key, {"csv": None, "all": None})[slot] = rel
        if ident:
            by_id.setdefault((folder, ident), key)
    return dbs


def digest(*parts):
    """Return a short stable digest of JSON-serialisable `parts`."""
    text = json.dumps(parts, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]



def relative(target, from_file):
    """Return the POSIX path of `target` relative to the folder of `from_file` (both site-relative)."""
    src = from_file.split("/")[:-1]
    dst = target.split("/")
    common = 0
    while common < len(src) and common < len(dst) - 1 and src[common] == dst[common]:
        common += 1
    return "../" * (len(src) - common) + "/".join(dst[common:])


def scan_tree(root):
    """Return every file under `root` as sorted POSIX relative paths, hidden ones included (a page titled '.NET')."""
    out = []
    root = os.fspath(root)
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
        for name in filenames:
            out.append(name if rel_dir == "." else rel_dir + "/" + name)
    return sorted(out)
