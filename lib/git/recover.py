"""Write one page (or database) as a snapshot holds it into a folder: its file, its own folder, what it links to."""
import logging
import os
import posixpath
import re
import shutil
import stat
import tempfile
from urllib.parse import unquote

from lib.core.errors import ConfigError, UnsafeArchive
from lib.git.history import first_parent_chain
from lib.git.objects import branch_ref, open_repo, read_ref
from lib.git.page_history import blob_text, find_key, matching_pages, official_tree
from lib.git.restore import check_link, iter_safe_entries, lfs_files, materialize
from lib.git.revs import describe, resolve_snapshot
from lib.core.layout import OFFICIAL
from lib.core.notion_names import folder_owners, kind_of, spec_id, stem_of, title_of

log = logging.getLogger(__name__)

LINK_RE = re.compile(rb"\]\(([^)\s]+)\)|<img [^>]*src=\"([^\"]+)\"")
PROP_RE = re.compile(r"^[^:\n]{1,80}: (.+)$")


def _decode(path):
    return path.decode("utf-8", "surrogateescape")


def _listing(entries):
    """Return {folder: ({file names}, {subfolder names})} of a tree's files."""
    dirs = {}
    for path in entries:
        folder, name = posixpath.split(path)
        dirs.setdefault(folder, (set(), set()))[0].add(name)
        while folder:
            parent, sub = posixpath.split(folder)
            dirs.setdefault(parent, (set(), set()))[1].add(sub)
            folder = parent
    return dirs


def pick_page(repo, files, spec, where):
    """Return the path of the page or database `spec` names in {path: blob}; ConfigError when none or several."""
    hits = matching_pages(repo, files, spec)
    if not hits:
        raise ConfigError([f"--page {spec}: no page or database with that id, URL or title in {where} "
                           "(`doit history --page` finds the snapshots that hold it)"])
    if len(hits) > 1:
        raise ConfigError([f"--page {spec}: {len(hits)} pages have that title in {where}; name one by id: "
                           + "; ".join(hits[:10])])
    return hits[0]


def _pick_in_snapshot(repo, branch, files, spec, where):
    """pick_page, and where a title names nothing in that snapshot, the page that title names now (or last
    had): `doit history --page "New title"` lists the versions under older titles, so recover finds them too."""
    try:
        return pick_page(repo, files, spec, where)
    except ConfigError:
        if spec_id(spec):
            raise
        try:
            key, _ = find_key(repo, first_parent_chain(repo, read_ref(repo, branch_ref(branch)))[0], spec)
        except ConfigError:
            raise ConfigError([f"--page {spec}: no page or database with that id, URL or title in {where} nor "
                               "in the other snapshots here"]) from None
        return pick_page(repo, files, key, where)


def _targets(data):
    """Yield every relative address a page names: Markdown links, <img src>, and the values of the
    property lines under its title (a row's Files & media: 'Files: a%20b.png, c.pdf')."""
    for match in LINK_RE.finditer(data):
        yield _decode(match.group(1) or match.group(2))
    for line in data[:1 << 16].decode("utf-8", "replace").split("\n")[1:40]:
        match = PROP_RE.match(line)
        if match:
            yield from match.group(1).split(", ")


def _linked(data, folder, files):
    """Return the attachments a page names that the snapshot holds (a row's files lie beside it, not below), and
    the relative links that climb out of the snapshot (never followed)."""
    found, outside = set(), set()
    for raw in _targets(data or b""):
        if ":" in raw.split("/", 1)[0] or raw.startswith("#"):
            continue
        target = posixpath.normpath(posixpath.join(folder, unquote(raw.split("#", 1)[0].strip())))
        if target.startswith(("../", "/")) or target == "..":
            outside.add(raw)
        elif target in files and not kind_of(target):
            found.add(target)
    return found, outside


def page_files(repo, files, path, outside=None):
    """Return the sorted paths that make up a page in {path: blob}: its file (both CSVs of a database), every
    file of the folder it owns, and the attachments it and its sub-pages link to (`outside` collects the links
    that climb out of the snapshot)."""
    folder, name = posixpath.split(path)
    listing = _listing(files)
    names, subs = listing.get(folder, (set(), set()))
    chosen = {path}
    if kind_of(path) == "db":
        chosen |= {posixpath.join(folder, stem_of(path) + end) for end in (".csv", "_all.csv")} & set(files)
    owned = [sub for sub, owner in folder_owners(names, subs).items() if posixpath.join(folder, owner) in chosen]
    for sub in owned:
        prefix = posixpath.join(folder, sub) + "/"
        chosen |= {p for p in files if p.startswith(prefix)}
    outside = set() if outside is None else outside
    for page in [p for p in chosen if kind_of(p) == "page"]:
        found, away = _linked(blob_text(repo, files[page]), posixpath.dirname(page), files)
        chosen |= found
        outside |= away
    return sorted(chosen)


def common_folder(paths):
    """Return the deepest folder holding every path ('' = the snapshot's top): what recover writes below --to,
    so a link to another folder (`../Home/pic.png`) still finds its file and nothing lands outside --to."""
    return posixpath.commonpath([posixpath.dirname(path) for path in paths]) if paths else ""


def _check_dest(dest):
    """Refuse a --to that is a file or a folder holding anything: recover writes into a new or empty folder."""
    if os.path.exists(dest) and not os.path.isdir(dest):
        raise ConfigError([f"--to {dest}: a file is there; name a new or empty folder"])
    held = sorted(os.listdir(dest)) if os.path.isdir(dest) else []
    if held:
        raise ConfigError([f"--to {dest}: the folder is not empty ({held[0]!r} is there already); nothing was "
                           "written (name a new or empty folder)"])


def _check_links(repo, entries):
    """Refuse a symlink that climbs above the recovered top (checked again there: the top is a sub-folder)."""
    for rel, mode, sha in entries:
        if stat.S_ISLNK(mode):
            where, name = posixpath.split(rel)
            check_link(where + b"/" if where else b"", name, repo.object_store[sha].as_raw_string())


def _check_inside(tmp, entries):
    """Refuse the whole recovery when a written file resolves outside `tmp` (nothing is placed in --to then)."""
    root = os.fsencode(os.path.realpath(tmp))
    for rel, _, _ in entries:
        real = os.path.realpath(os.path.join(root, rel))
        if os.path.commonpath([root, real]) != root:
            raise UnsafeArchive(f"snapshot entry {_decode(rel)!r} would be written outside --to; nothing was "
                                "written")


def _place(tmp, dest):
    """Move what was written under `tmp` into `dest`, refusing to replace anything already there."""
    names = os.listdir(tmp)
    clash = [n for n in names if os.path.lexists(os.path.join(dest, n))]
    if clash:
        raise ConfigError([f"--to {dest}: {clash[0]!r} is there already; nothing was written (pick an empty "
                           "or new folder)"])
    for name in names:
        os.rename(os.path.join(tmp, name), os.path.join(dest, name))


def recover_page(repo_path, branch, spec, at, dest, lfs_remote=None):
    """Write the page `spec` as snapshot `at` holds it into folder `dest`; return what was written.

    Files the snapshot keeps in Git LFS come back as their content (the local LFS store, else `lfs_remote`)."""
    with open_repo(repo_path) as repo:
        commit = resolve_snapshot(repo, branch, at)
        snap = describe(repo, commit)
        tree = official_tree(repo, commit)
        files = {_decode(e.path): e.sha.decode() for e in repo.object_store.iter_tree_contents(tree)} if tree else {}
        where = f"the snapshot {snap['commit'][:12]} of {snap['date'][:10]} (run {snap['run_id']})"
        path = _pick_in_snapshot(repo, branch, files, spec, where)
        outside = set()
        wanted = set(page_files(repo, files, path, outside))
        for link in sorted(outside):
            log.warning("%s links %r, outside the snapshot: not followed", path, link)
        top = common_folder(sorted(wanted))
        strip = len(top.encode("utf-8", "surrogateescape")) + 1 if top else 0
        # Names and modes are checked before anything is written (the branch may come from anywhere).
        chosen = [(rel, mode, sha) for rel, mode, sha in iter_safe_entries(repo.object_store, tree)
                  if _decode(rel) in wanted]
        entries = [(rel[strip:], mode, sha) for rel, mode, sha in chosen]
        _check_links(repo, entries)
        large = lfs_files(repo, commit.tree, OFFICIAL, lfs_remote, only={rel for rel, _, _ in chosen})
        large = {rel[strip:]: found for rel, found in large.items()}
        _check_dest(dest)
        os.makedirs(dest, exist_ok=True)
        tmp = tempfile.mkdtemp(prefix=".recover-", dir=dest)
        try:
            materialize(repo, entries, tmp, large)
            _check_inside(tmp, entries)
            _place(tmp, dest)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    log.info("recovered %s (%s) from %s into %s: %d files", title_of(path), path, where, dest, len(entries))
    return dict(snap, path=path, files=sorted(_decode(rel) for rel, _, _ in entries), dest=str(dest))
