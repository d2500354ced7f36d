"""How Notion's export names a page or database: the id it keeps through renames, its title, its own folder."""
import hashlib
import posixpath
import re

from lib.core.ids import find_id

STEM_ID_RE = re.compile(r"^(.*?)[ -]*([0-9a-f]{32})$")


def split_stem(stem):
    """Return (title, 32-hex id or None) of a file stem like 'Title <32hex>'."""
    match = STEM_ID_RE.match(stem)
    if not match:
        return stem, None
    return match.group(1) or stem, match.group(2)


def kind_of(path):
    """Return 'page' for a Markdown page, 'db' for a database CSV, else None (an attachment)."""
    lower = path.lower()
    return "page" if lower.endswith(".md") else "db" if lower.endswith(".csv") else None


def stem_of(path):
    """Return the stem that names a page or database: the file name without '.md', '.csv' or '_all.csv'."""
    stem = posixpath.basename(path).rsplit(".", 1)[0]
    return stem[:-4] if kind_of(path) == "db" and stem.endswith("_all") else stem


def title_of(path):
    """Return the title a page or database file carries in its name."""
    return split_stem(stem_of(path))[0]


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
