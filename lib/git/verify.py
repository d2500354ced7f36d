"""Check the snapshot branch against its own manifest, and list snapshots with what changed."""
import hashlib
import json
import logging
import stat
import time

from dulwich.diff_tree import tree_changes
from dulwich.errors import NotTreeError
from dulwich.object_store import tree_lookup_path
from dulwich.objects import S_ISGITLINK, Tree

from lib.git.history import first_parent_chain
from lib.git.lfs import pointers_in_tree
from lib.git.objects import branch_ref, open_repo, read_ref
from lib.git.commit_snapshot import SKIPPED_ENTRY
from lib.git.store import content_sha, iter_blob
from lib.git.tip_tree import tip_blobs
from lib.core.layout import OFFICIAL, SNAPSHOT, STAGING
from lib.core.clock import iso_of

log = logging.getLogger(__name__)

MAX_PROBLEMS = 200


def _lookup(repo, tree_id, path):
    """Return (mode, sha) of `path` inside tree `tree_id`, or None."""
    try:
        return tree_lookup_path(repo.__getitem__, tree_id, path)
    except (KeyError, NotTreeError):
        return None


def _blob(repo, tree_id, path):
    found = _lookup(repo, tree_id, path)
    if found is None or not stat.S_ISREG(found[0]):
        return None
    return repo[found[1]].as_raw_string()


def _check_objects(repo, chain, problems):
    """Read every object reachable from the branch; each must parse and hash to its name."""
    seen, todo, checked = set(), [(c.tree, True) for c in chain], 0
    for commit in chain:
        try:
            commit.check()
            if content_sha(commit) != commit.id:
                raise ValueError("content does not hash to its name")
            checked += 1
        except Exception as exc:   # a malformed commit is a finding, not a crash
            problems.append(f"commit {commit.id.decode()} is malformed: {exc}")
    while todo:
        sha, is_tree = todo.pop()
        if sha in seen:
            continue
        seen.add(sha)
        try:
            if not is_tree:
                for _ in iter_blob(repo.object_store, sha):   # streams loose blobs, checks their sha1
                    pass
                checked += 1
                continue
            obj = repo[sha]
            obj.check()
            if content_sha(obj) != sha:
                raise ValueError(f"content hashes to {content_sha(obj).decode()}")
        except Exception as exc:   # any failure to read is the finding itself
            problems.append(f"object {sha.decode()} is unreadable: {type(exc).__name__}: {exc}")
            continue
        checked += 1
        if isinstance(obj, Tree):
            todo.extend((entry.sha, stat.S_ISDIR(entry.mode)) for entry in obj.iteritems()
                        if not S_ISGITLINK(entry.mode))
    return checked


def _check_manifest(repo, tree_id, problems, lfs_pointers=()):
    """Compare `official/` in the tree with manifests/snapshot.json inside the same tree."""
    raw = _blob(repo, tree_id, SNAPSHOT.encode())
    if raw is None:
        problems.append("manifests/snapshot.json is missing from the snapshot")
        return 0
    try:
        manifest = json.loads(raw)
        expected = {f["path"]: f for f in manifest["files"]}
    except (ValueError, KeyError, TypeError) as exc:
        problems.append(f"manifests/snapshot.json is not a valid manifest: {exc}")
        return 0
    skipped_raw = _blob(repo, tree_id, SKIPPED_ENTRY)
    skipped = {item["path"] for item in json.loads(skipped_raw)} if skipped_raw else set()
    prefix = OFFICIAL + "/"
    # A file kept in Git LFS is its pointer here: the pointer's sha256 and size must be the manifest's.
    large = {path.decode("utf-8", "surrogateescape")[len(prefix):]: (oid, size)
             for path, oid, size in lfs_pointers if path.startswith(prefix.encode())}
    official = _lookup(repo, tree_id, OFFICIAL.encode())
    actual = {}
    if official is not None:
        for entry in repo.object_store.iter_tree_contents(official[1]):
            actual[entry.path.decode("utf-8", "surrogateescape")] = entry
    for path, item in sorted(expected.items()):
        entry = actual.pop(path, None)
        if entry is None:
            if "official/" + path not in skipped:
                problems.append(f"official/{path}: listed in snapshot.json, missing from the commit")
            continue
        if path in large:
            oid, size = large[path]
            if (size, oid) != (item.get("size"), item.get("sha256")):
                problems.append(f"official/{path}: its Git LFS pointer ({oid[:12]}, {size} bytes) is not the file "
                                "snapshot.json lists")
            continue
        digest, size = hashlib.sha256(), 0
        try:
            for block in iter_blob(repo.object_store, entry.sha):
                digest.update(block)
                size += len(block)
        except Exception as exc:   # reported again, with the object id, by the object walk
            problems.append(f"official/{path}: blob unreadable ({type(exc).__name__})")
            continue
        if size != item.get("size"):
            problems.append(f"official/{path}: size {size} in the commit, {item.get('size')} in snapshot.json")
        elif digest.hexdigest() != item.get("sha256"):
            problems.append(f"official/{path}: sha256 differs from snapshot.json")
    for path in sorted(actual):
        problems.append(f"official/{path}: in the commit but not in snapshot.json")
    return len(expected)


def verify_branch(repo_path, branch, fetch=None):
    """Check the tip against its snapshot.json, every reachable object, and linear history; return {ok, problems}.

    `fetch(shas)` brings the blobs a blobless pull left on the remote (lib.git.partial): every object is read.
    """
    started, problems = time.monotonic(), []
    with open_repo(repo_path) as repo:
        tip = read_ref(repo, branch_ref(branch))
        if tip is None:
            return {"ok": False, "commit": None, "problems": [f"branch {branch} does not exist"]}
        chain, shallow = first_parent_chain(repo, tip)
        if fetch is not None:
            fetch({blob for commit in chain for blob in tip_blobs(repo, commit.tree)})
        for commit in chain:
            if len(commit.parents) > 1:
                problems.append(f"commit {commit.id.decode()[:12]} has {len(commit.parents)} parents "
                                "(snapshots form a single line)")
        if _lookup(repo, chain[0].tree, STAGING.encode()) is not None:
            problems.append(f"{STAGING}/ was committed")
        lfs = pointers_in_tree(repo.object_store, chain[0].tree)
        files = _check_manifest(repo, chain[0].tree, problems, lfs)
        objects = _check_objects(repo, chain, problems)
    result = {"ok": not problems, "commit": tip.decode(), "commits": len(chain), "files_checked": files,
              "objects_checked": objects, "problems": problems[:MAX_PROBLEMS], "problem_count": len(problems),
              "shallow": shallow, "lfs": [(path.decode("utf-8", "surrogateescape"), oid, size)
                                          for path, oid, size in lfs]}
    log.info("verify %s at %s: %s, %d commits%s, %d files, %d objects, %d problems, %.1f s", branch,
             tip.decode()[:12], "ok" if result["ok"] else "FAILED", len(chain),
             " (shallow: the older history is not here)" if shallow else "", files, objects, len(problems),
             time.monotonic() - started)
    return result


def _kind(path):
    lower = path.lower()
    return "md" if lower.endswith(b".md") else "csv" if lower.endswith(b".csv") else "other"


def _run_id(repo, commit):
    raw = _blob(repo, commit.tree, SNAPSHOT.encode())
    try:
        return json.loads(raw)["run_id"]
    except (TypeError, ValueError, KeyError):
        subject = commit.message.split(b"\n", 1)[0].decode("utf-8", "replace")
        return subject.split(":", 1)[0].removeprefix("Snapshot ").strip() if subject.startswith("Snapshot ") else None


def list_snapshots(repo_path, branch, limit=None):
    """Return [{commit, date, run_id, counts, added, removed, changed}] newest first (pages = official/*.md)."""
    with open_repo(repo_path) as repo:
        tip = read_ref(repo, branch_ref(branch))
        if tip is None:
            return []
        chain, shallow = first_parent_chain(repo, tip, limit=limit + 1 if limit else None)
        chain = chain[::-1]
        counts, previous, rows = {"md": 0, "csv": 0, "files": 0}, None, []
        for commit in chain:
            found = _lookup(repo, commit.tree, OFFICIAL.encode())
            official = found[1] if found else None
            delta = {"added": 0, "removed": 0, "changed": 0}
            # Diffing consecutive trees skips unchanged subtrees, so a long history stays cheap.
            for change in tree_changes(repo.object_store, previous, official):
                old, new = change.old, change.new
                if change.type in ("add", "modify", "delete"):
                    if old is not None and old.path is not None:
                        counts[_kind(old.path)] = counts.get(_kind(old.path), 0) - 1
                        counts["files"] -= 1
                    if new is not None and new.path is not None:
                        counts[_kind(new.path)] = counts.get(_kind(new.path), 0) + 1
                        counts["files"] += 1
                    path = (new.path if new is not None and new.path is not None else old.path)
                    if _kind(path) == "md":
                        delta[{"add": "added", "delete": "removed", "modify": "changed"}[change.type]] += 1
            previous = official
            if shallow and commit is chain[0]:
                delta = dict.fromkeys(delta)   # the commit before it is not here: what changed is unknown
            rows.append({"commit": commit.id.decode(),
                         "date": iso_of(commit.commit_time),
                         "run_id": _run_id(repo, commit),
                         "counts": {"md": counts["md"], "csv": counts["csv"], "files": counts["files"]},
                         **delta})
    rows.reverse()
    return rows[:limit] if limit else rows
