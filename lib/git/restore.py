"""Restore backup folders from the snapshot branch tip, refusing any hostile tree entry."""
import logging
import os
import shutil
import stat
import tempfile

from dulwich.index import validate_path_element_default
from dulwich.objects import Tree

from lib.core.errors import PublishError, UnsafeArchive
from lib.git import partial
from lib.git.lfs import LocalStore, pointers_in_tree
from lib.git.objects import branch_ref, holder, open_repo, read_ref
from lib.git.store import iter_blob
from lib.core.layout import MANIFESTS, OFFICIAL, SNAPSHOT

log = logging.getLogger(__name__)

TMP_PREFIX = ".restore-"
FILE_MODES = {0o100644: 0o644, 0o100755: 0o755, 0o100664: 0o644}
# A folder holding only what a failed run wrote (manifests/failures.json) is not the snapshot's: it is completed.
NEEDS = {MANIFESTS: SNAPSHOT.split("/", 1)[1]}
# A part holding a blob a blobless pull left on the remote (lib.git.partial) is restored only where a file can
# be missing (the site's copies of attachments: render places them again); WHOLE parts are then not restored.
WHOLE = (OFFICIAL,)


def _check_name(where, name):
    """Refuse a tree entry name that could escape the target or touch a .git directory."""
    if (not name or b"/" in name or b"\\" in name or b"\x00" in name
            or not validate_path_element_default(name)):
        raise UnsafeArchive(f"snapshot entry {os.fsdecode(where + name)!r} is unsafe (empty, '.', '..', "
                            f"'.git' or a separator in a name); nothing was restored",
                            hint="the branch was written by something else; inspect it with git ls-tree")


def check_link(where, name, target):
    """Refuse a symlink whose target is absolute or climbs above the restored folder."""
    depth = where.count(b"/")
    for part in target.split(b"/"):
        depth += -1 if part == b".." else (0 if part in (b"", b".") else 1)
        if depth < 0:
            break
    if target.startswith(b"/") or depth < 0 or b"\x00" in target:
        raise UnsafeArchive(f"snapshot symlink {os.fsdecode(where + name)!r} points outside the backup "
                            f"({os.fsdecode(target)!r}); nothing was restored")


def iter_safe_entries(store, tree_id, prefix=b""):
    """Yield (relpath, mode, sha) for every blob under `tree_id`, validating each name and mode."""
    tree = store[tree_id]
    if not isinstance(tree, Tree):
        raise UnsafeArchive(f"snapshot entry {os.fsdecode(prefix)!r} should be a tree")
    for entry in tree.iteritems():
        _check_name(prefix, entry.path)
        if stat.S_ISDIR(entry.mode):
            yield from iter_safe_entries(store, entry.sha, prefix + entry.path + b"/")
        elif stat.S_ISLNK(entry.mode):
            check_link(prefix, entry.path, store[entry.sha].data)
            yield prefix + entry.path, entry.mode, entry.sha
        elif entry.mode in FILE_MODES:
            yield prefix + entry.path, entry.mode, entry.sha
        else:
            raise UnsafeArchive(f"snapshot entry {os.fsdecode(prefix + entry.path)!r} has unsupported mode "
                                f"{entry.mode:o} (submodule or unknown); nothing was restored")


def _find_subtree(repo, tree_id, name):
    tree = repo[tree_id]
    for entry in tree.iteritems():
        if entry.path == name and stat.S_ISDIR(entry.mode):
            return entry.sha
    return None


def materialize(repo, entries, dest_tmp, large=None):
    """Write every validated (relpath, mode, sha) entry under `dest_tmp`; return the number of files.

    `large` maps the relpaths of Git LFS pointers to (oid, store): the object is placed instead of the pointer.
    """
    root = os.fsencode(dest_tmp)
    for rel, mode, sha in entries:
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if os.path.lexists(path):
            raise UnsafeArchive(f"snapshot entry {os.fsdecode(rel)!r} appears twice; nothing was restored")
        if large and rel in large:
            oid, store = large[rel]
            store.link_out(oid, path)
        elif stat.S_ISLNK(mode):
            os.symlink(repo.object_store[sha].as_raw_string(), path)
        else:
            with open(path, "wb") as handle:
                for block in iter_blob(repo.object_store, sha):   # big loose blobs never sit in memory whole
                    handle.write(block)
            os.chmod(path, FILE_MODES[mode])
    return len(entries)


def lfs_files(repo, tree_id, part, lfs_remote, only=None):
    """Return {relpath in part: (oid, local store)} for the part's LFS files, fetching those not here yet.

    `only`, a set of relpaths in the part, limits it to those files (one page being recovered)."""
    prefix = part.encode() + b"/"
    pointers = [(path[len(prefix):], oid, size) for path, oid, size in pointers_in_tree(repo.object_store, tree_id)
                if path.startswith(prefix) and (only is None or path[len(prefix):] in only)]
    store = LocalStore(os.path.join(repo.controldir(), "lfs"))
    for rel, oid, size in pointers:
        if not store.has(oid, size):
            if lfs_remote is None:
                raise PublishError(f"{part}/{os.fsdecode(rel)} is stored in Git LFS and no LFS store is reachable")
            lfs_remote.download(oid, size, store)
    return {rel: (oid, store) for rel, oid, _ in pointers}


def _held(part, entries, summary, here):
    """The entries whose blobs are here; None when a WHOLE part lacks some (it is then left on the remote)."""
    held = [entry for entry in entries if here(entry[2])]
    if len(held) < len(entries):
        summary["left_on_remote"][part] = len(entries) - len(held)
        if part in WHOLE:
            log.info("restore: %s/ not restored: %d of its files are on the remote only (a blobless pull)",
                     part, len(entries) - len(held))
            return None
        log.info("restore: %s/ without %d attachment copies kept on the remote (render places them again)",
                 part, len(entries) - len(held))
    return held


def restore_from_tip(repo_path, branch, backups_dir, parts=(OFFICIAL, MANIFESTS), lfs_remote=None, fetch=None):
    """Restore each folder of `parts` absent from `backups_dir` from the branch tip; return a summary dict.

    Files the snapshot keeps in Git LFS come from the local LFS store, else from `lfs_remote`; a part whose LFS
    files cannot be had is not restored (summary `lfs_unavailable`): the run then renders and commits it whole.
    `fetch(shas, into=None)`, in a blobless repository, brings the blobs a restore reads (partial.restore_store);
    the attachments stay on the remote, so official/ is then not restored and site/ comes without their copies
    (see tip_tree).
    """
    os.makedirs(backups_dir, exist_ok=True)
    for name in os.listdir(backups_dir):
        if name.startswith(TMP_PREFIX):   # left by a killed restore
            shutil.rmtree(os.path.join(backups_dir, name), ignore_errors=True)
    summary = {"commit": None, "restored": [], "present": [], "missing_in_snapshot": [], "files": 0,
               "lfs_unavailable": {}, "left_on_remote": {}}
    with open_repo(repo_path) as repo:
        tip = read_ref(repo, branch_ref(branch))
        if tip is None:
            log.info("restore: no %s branch yet, nothing to restore", branch)
            return summary
        summary["commit"] = tip.decode()
        tree_id = repo[tip].tree
        wanted = []
        for part in parts:
            folder = os.path.join(backups_dir, part)
            if os.path.lexists(folder) and (part not in NEEDS or os.path.lexists(os.path.join(folder, NEEDS[part]))):
                summary["present"].append(part)
                continue
            subtree = _find_subtree(repo, tree_id, part.encode())
            if subtree is None:
                summary["missing_in_snapshot"].append(part)
                continue
            wanted.append((part, subtree))
        with partial.restore_store(repo, tree_id, fetch, [part for part, _ in wanted]) as scratch:
            here = holder(repo.object_store)
            there = holder(scratch.object_store) if scratch is not None else (lambda sha: False)
            # Validate every part before writing any, so a hostile tree leaves the disk untouched.
            todo = [(part, [(rel[len(part) + 1:], mode, sha) for rel, mode, sha
                            in iter_safe_entries(repo.object_store, subtree, part.encode() + b"/")])
                    for part, subtree in wanted]
            for part, entries in todo:
                entries = _held(part, entries, summary, lambda sha: here(sha) or there(sha))
                if entries is not None:
                    _restore_part(repo, scratch, tree_id, tip, part, entries, backups_dir, lfs_remote, summary)
    return summary


def _restore_part(repo, scratch, tree_id, tip, part, entries, backups_dir, lfs_remote, summary):
    """Write one part's entries (blobs from the repository, else from the scratch store) into backups_dir/part."""
    try:
        large = lfs_files(repo, tree_id, part, lfs_remote)
    except PublishError as exc:
        summary["lfs_unavailable"][part] = str(exc)
        log.warning("restore: %s/ not restored: %s", part, exc)
        return
    target = os.path.join(backups_dir, part)
    tmp = tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{part}-", dir=backups_dir)
    here = holder(repo.object_store)
    ours = [entry for entry in entries if here(entry[2]) or entry[0] in large]
    try:
        try:
            count = materialize(repo, ours, tmp, large)
            if len(ours) < len(entries):
                mine = set(ours)
                count += materialize(scratch, [entry for entry in entries if entry not in mine], tmp)
        except (ValueError, KeyError) as exc:
            raise PublishError(f"restore of {part}/ from {tip.decode()[:12]} failed: {exc}",
                               hint="run `doit verify`; the local object store may be damaged") from None
        os.chmod(tmp, 0o755)
        if os.path.isdir(target):  # complete it: what the failed run wrote stays, the rest comes back
            for name in os.listdir(tmp):
                if not os.path.lexists(os.path.join(target, name)):
                    os.rename(os.path.join(tmp, name), os.path.join(target, name))
        else:
            os.rename(tmp, target)
    finally:
        if os.path.exists(tmp):
            shutil.rmtree(tmp)
    summary["restored"].append(part)
    summary["files"] += count
    log.info("restored %s/ from %s: %d files", part, tip.decode()[:12], count)
