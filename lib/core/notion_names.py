"""Notion's naming rule, the one owner of it: `Title <32 hex>.md`, a database's `X <id>.csv` and `X <id>_all.csv`,
the id a page keeps through renames, its title, its own folder, and what kind of file a name is."""
import hashlib
import posixpath
import re

from lib.core.ids import find_id

ID_HEX = "[0-9a-f]{32}"
# A stem 'Title <id>' (Notion writes a space; a dash or nothing is read the same way).
STEM_ID_RE = re.compile(rf"^(.*?)[ -]*({ID_HEX})$", re.S)  # a title may hold a newline
# A trailing id in a name as any writer may have cased it, `_all` of a database's second CSV included.
TAIL_ID_RE = re.compile(r"[0-9a-fA-F]{32}(?:_all)?$")


def split_stem(stem):
    """Return (title, 32-hex id or None) of a file stem like 'Title <32hex>'."""
    match = STEM_ID_RE.match(stem)
    if not match:
        return stem, None
    return match.group(1) or stem, match.group(2)


def file_kind(name):
    """Return what an export file is, as counted: 'md', 'csv', 'csv_all' (a database's full CSV), 'html' or
    'attachments'."""
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


def kind_of(path):
    """Return 'page' for a Markdown page, 'db' for a database CSV, else None (an attachment)."""
    kind = file_kind(path)
    return "page" if kind == "md" else "db" if kind in ("csv", "csv_all") else None


def stem_of(path):
    """Return the stem that names a page or database: the file name without '.md', '.csv' or '_all.csv'."""
    stem = posixpath.basename(path).rsplit(".", 1)[0]
    return stem[:-4] if kind_of(path) == "db" and stem.endswith("_all") else stem


def title_of(path):
    """Return the title a page or database file carries in its name."""
    return split_stem(stem_of(path))[0]


def db_stem(path):
    """Return a database CSV's path without '.csv' and '_all': the key both of its CSVs share."""
    stem = path[:-4]
    return stem[:-4] if stem.endswith("_all") else stem


def strip_ids(path):
    """Return `path` with the Notion id removed from every component that carries one."""
    out = []
    for part in path.split("/"):
        stem, dot, ext = part.rpartition(".") if "." in part else (part, "", "")
        title, ident = split_stem(stem)
        out.append((title + dot + ext) if ident else part)
    return "/".join(out)


def reader_path(path):
    """Return a page path as a reader names it: folders and title without Notion's ids or the extension."""
    return " / ".join(split_stem(part)[0] for part in stem_path(path).split("/"))


def stem_path(path):
    """Return `path` without the extension of its last component."""
    head, _, base = path.rpartition("/")
    return (head + "/" if head else "") + base.rsplit(".", 1)[0]


def page_key(path):
    """Return the key that follows a page or database through renames and moves: its Notion id.

    A file without an id (rare) is keyed by its path, prefixed 'x' so a key never looks like an id.
    """
    ident = split_stem(stem_of(path))[1]
    if ident:
        return ident
    return "x" + hashlib.sha1(path.encode("utf-8", "surrogateescape")).hexdigest()[:31]


def is_main_file(path, paths):
    """Return True for the file of a page, or the CSV that stands for its database (`_all` when both exist)."""
    kind = kind_of(path)
    if kind == "page":
        return True
    if kind != "db":
        return False
    if path[:-4].endswith("_all"):
        return True
    return path[:-4] + "_all.csv" not in paths


def folder_owners(files, folders):
    """Return {folder name: owning file name} for one directory of an export (names, not paths).

    The rules the site follows too: 'X <id>/' belongs to 'X <id>.md' (or the database 'X <id>'); a bare
    'X/' to the database titled X, else to the first page titled X whose own 'X <id>/' folder is absent.
    """
    owners, by_title = {}, {}
    pages = sorted(name for name in files if kind_of(name) == "page")
    dbs = sorted({stem_of(name) for name in files if kind_of(name) == "db"})
    for name in pages:
        stem = name[:-3]
        title, ident = split_stem(stem)
        if ident and stem not in folders:
            by_title.setdefault(title, name)
    for stem in dbs:
        main = stem + "_all.csv" if stem + "_all.csv" in files else stem + ".csv"
        by_title.setdefault(("db", split_stem(stem)[0]), main)
        by_title.setdefault(("db", stem), main)
    for folder in folders:
        if folder + ".md" in files:
            owners[folder] = folder + ".md"
            continue
        owner = by_title.get(("db", folder)) or by_title.get(folder)
        if owner:
            owners[folder] = owner
    return owners


def spec_id(spec):
    """Return the 32-hex id in a page id or Notion URL the user gave, or None (then it is a title)."""
    found = find_id(spec or "")
    return found.replace("-", "") if found else None


def matching_files(paths, spec):
    """Return the sorted main files (page .md, database CSV) among `paths` that `spec` names: by id or URL,
    else by the exact title in the file name."""
    wanted = spec_id(spec)
    present = set(paths)
    hits = [p for p in paths if kind_of(p) and is_main_file(p, present)
            and (page_key(p) == wanted if wanted else title_of(p) == spec.strip())]
    return sorted(hits)
