"""What each snapshot changed, page by page (lines added and removed), and one page's versions, from the branch."""
from dulwich.diff_tree import tree_changes
from dulwich.errors import NotTreeError
from dulwich.object_store import tree_lookup_path

from lib.core.errors import ConfigError
from lib.git.objects import branch_ref, open_repo, read_ref
from lib.git.history import first_parent_chain
from lib.git.revs import DEEPER, describe
from lib.core.notion_names import kind_of, matching_files, page_key, spec_id, title_of
from lib.core.layout import OFFICIAL
from lib.core.textdiff import line_stats


def official_tree(repo, commit):
    """Return the id of a snapshot commit's official/ tree, or None."""
    try:
        mode, sha = tree_lookup_path(repo.__getitem__, commit.tree, OFFICIAL.encode())
    except (KeyError, NotTreeError):
        return None
    return sha


def tree_files(repo, tree):
    """Return {path: blob id} of every file under an official/ tree (paths as str, surrogate-escaped)."""
    if tree is None:
        return {}
    return {entry.path.decode("utf-8", "surrogateescape"): entry.sha.decode()
            for entry in repo.object_store.iter_tree_contents(tree)}


def blob_text(repo, blob):
    """Return a blob's bytes, or None when this repository does not hold it."""
    try:
        return repo[blob.encode() if isinstance(blob, str) else blob].as_raw_string()
    except KeyError:
        return None


def _side(entry):
    if entry is None or entry.path is None:
        return None
    return entry.path.decode("utf-8", "surrogateescape"), entry.sha.decode()


def _pick(found):
    """Of a database's two CSVs changed together, the one that stands for it: `_all` (every row)."""
    return sorted(found, key=lambda side: (not side[0][:-4].endswith("_all"), side[0]))[0]


def change_kind(old_path, new_path):
    """Return added, removed, changed, renamed (the title in the name changed) or moved (only its folder)."""
    if old_path is None:
        return "added"
    if new_path is None:
        return "removed"
    if old_path == new_path:
        return "changed"
    return "renamed" if title_of(old_path) != title_of(new_path) else "moved"


def make_event(key, old, new, read):
    """Return one page's change between two snapshots: kind, paths, blobs, lines added and removed.

    `old` and `new` are (path, blob id) or None; `read(blob)` returns a version's bytes (None if absent).
    """
    old_path, old_blob = old or (None, None)
    new_path, new_blob = new or (None, None)
    if old_blob == new_blob:
        added = removed = 0
    else:
        added, removed = line_stats(read(old_blob) if old_blob else None, read(new_blob) if new_blob else None)
    return {"key": key, "type": kind_of(new_path or old_path), "kind": change_kind(old_path, new_path),
            "path": new_path or old_path, "old_path": old_path if new_path and old_path != new_path else None,
            "blob": new_blob, "old_blob": old_blob, "added": added, "removed": removed}


def group_events(olds, news, read, had, keeps, keys=None):
    """Return the page and database events, by key, from the files that differ between two snapshots.

    `olds` / `news`: [(path, blob)] of the removed or changed files and of the added or changed ones;
    `had(path)` / `keeps(path)`: whether the older / newer snapshot holds a path at all.
    """
    by_key = ({}, {})
    for sides, found in ((olds, by_key[0]), (news, by_key[1])):
        for path, blob in sides:
            key = page_key(path) if kind_of(path) else None
            if key is not None and (keys is None or key in keys):
                found.setdefault(key, []).append((path, blob))
    events = []
    for key in sorted(set(by_key[0]) | set(by_key[1])):
        old, new = by_key[0].get(key), by_key[1].get(key)
        event = make_event(key, _pick(old) if old else None, _pick(new) if new else None, read)
        if event["type"] == "db" and event["kind"] in ("added", "removed"):
            path = event["path"]
            other = path[:-8] + ".csv" if path[:-4].endswith("_all") else path[:-4] + "_all.csv"
            if (had if event["kind"] == "added" else keeps)(other):
                continue   # one CSV of a database came or went while the database stayed
        events.append(event)
    return events


def _holds(repo, tree):
    """Return a test of whether an official/ tree holds a path."""
    def holds(path):
        if tree is None:
            return False
        try:
            tree_lookup_path(repo.__getitem__, tree, path.encode("utf-8", "surrogateescape"))
            return True
        except (KeyError, NotTreeError):
            return False
    return holds


def tree_events(repo, old_tree, new_tree, keys=None):
    """Return the page and database events between two official/ trees (only `keys` when given), by key."""
    olds, news = [], []
    for change in tree_changes(repo.object_store, old_tree, new_tree):
        for side, found in ((_side(change.old), olds), (_side(change.new), news)):
            if side is not None:
                found.append(side)
    return group_events(olds, news, lambda blob: blob_text(repo, blob), _holds(repo, old_tree),
                        _holds(repo, new_tree), keys)


def by_heading(repo, files, spec):
    """Return the pages among {path: blob} whose first '# ' line is exactly `spec`: Notion shortens long titles
    in file names, and the heading keeps the whole title."""
    hits = []
    for path, blob in files.items():
        if kind_of(path) == "page":
            first = (blob_text(repo, blob) or b"")[:4096].decode("utf-8-sig", "replace").lstrip("\n")
            line = first.split("\n", 1)[0]
            if line.startswith("# ") and line[2:].strip() == spec.strip():
                hits.append(path)
    return sorted(hits)


def matching_pages(repo, files, spec):
    """Return the main files among {path: blob} that `spec` names: by id or URL; else by the title in the file
    name, else by the page's '# ' heading. The one lookup of `doit history` and `doit recover`."""
    hits = matching_files(list(files), spec)
    if hits or spec_id(spec):
        return hits
    return by_heading(repo, files, spec)


def find_key(repo, chain, spec):
    """Return (key, path) of the page or database `spec` names, in the newest snapshot that holds it."""
    hits = matching_pages(repo, tree_files(repo, official_tree(repo, chain[0])), spec)
    for newer, older in zip(chain, chain[1:]):
        if hits:
            break
        # A deleted page: look for it where it was removed, newest first.
        gone = dict(_side(c.old) for c in tree_changes(repo.object_store, official_tree(repo, older),
                                                       official_tree(repo, newer))
                    if _side(c.new) is None and _side(c.old) and kind_of(_side(c.old)[0]))
        hits = matching_pages(repo, gone, spec)
    keys = sorted({page_key(p) for p in hits})
    if not keys:
        raise ConfigError([f"--page {spec}: no page or database with that id, URL or title in the snapshots here"])
    if len(keys) > 1:
        raise ConfigError([f"--page {spec}: {len(keys)} pages have that title; name one by id: "
                           + "; ".join(sorted(hits)[:10])])
    return keys[0], sorted(hits)[0]


def page_versions(repo_path, branch, spec):
    """Return {key, path, versions (newest first), cut, first}: every snapshot in which one page changed."""
    with open_repo(repo_path) as repo:
        tip = read_ref(repo, branch_ref(branch))
        if tip is None:
            raise ConfigError([f"--page: there is no snapshot yet (branch {branch} does not exist here)"])
        chain, cut = first_parent_chain(repo, tip)
        key, path = find_key(repo, chain, spec)
        versions = []
        for newer, older in zip(chain, chain[1:] + [None]):
            old_tree = official_tree(repo, older) if older is not None else None
            events = tree_events(repo, old_tree, official_tree(repo, newer), {key})
            for event in events:
                if older is None and cut:
                    event["kind"] = "present"   # the commit before it is not here: what changed is unknown
                versions.append(dict(describe(repo, newer), **event))
        first = describe(repo, chain[-1])
    return {"key": key, "path": path, "title": title_of(path), "versions": versions, "cut": cut,
            "first": first, "deeper": DEEPER.format(branch=branch) if cut else None}

