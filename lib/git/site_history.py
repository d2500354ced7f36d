"""The history the site shows: the snapshots of the last N days, what each changed page by page, and what the
promoted (not yet committed) snapshot changes, handed to the site as plain data."""
import contextlib
import datetime
import hashlib
import json
import os
import time

from dulwich.errors import NotTreeError
from dulwich.object_store import tree_lookup_path

from lib.git.objects import branch_ref, open_repo, read_ref
from lib.git.page_history import blob_text, group_events, official_tree, tree_events, tree_files
from lib.git.revs import DEEPER, run_id_of
from lib.core.layout import SNAPSHOT
from lib.core.clock import iso_of

CACHE_FORMAT = 1


def git_blob_id(data):
    """Return the id git gives a file with these bytes."""
    return hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()


def _record(repo, commit, parent, cut, wanted, cached):
    """Return a commit's record: parent, time, run id and page events (None when not `wanted` or unknown)."""
    if cached and cached.get("parent") == parent and cached.get("events") is not None and not cached.get("cut"):
        return cached
    events = None
    if wanted and parent is not None and not cut:
        events = tree_events(repo, official_tree(repo, repo[parent.encode()]), official_tree(repo, commit))
    return {"parent": parent, "time": commit.commit_time, "run_id": run_id_of(repo, commit), "cut": cut,
            "events": events}


def _recorded(repo, commit, parent, known, promoted):
    """Return what an earlier render recorded of a commit whose parent is not here (a shallow fetch): its own
    record, or the events it computed for this snapshot while it was promoted and not yet committed."""
    cached = known.get(commit.id.decode())
    if cached and cached.get("parent") == parent and cached.get("events") is not None:
        return cached
    run_id = run_id_of(repo, commit) if promoted else None
    if promoted and promoted.get("parent") == parent and run_id is not None and promoted.get("run_id") == run_id:
        return {"parent": parent, "time": commit.commit_time, "run_id": run_id, "cut": False,
                "events": promoted["events"]}
    return None


def _walk(repo, tip, since, known, promoted=None):
    """Return [(commit id, record)] newest first: the window's snapshots and the one it starts from.

    Past a shallow boundary the walk goes on through what an earlier render recorded (`known`, and `promoted`:
    the events of the snapshot it rendered before that snapshot was committed)."""
    shallow, out, sha = repo.get_shallow(), [], tip
    while sha is not None:
        key = sha.decode()
        if sha in repo.object_store:
            commit = repo[sha]
            parent = commit.parents[0].decode() if commit.parents else None
            cut = parent is not None and (sha in shallow or parent.encode() not in repo.object_store)
            record = _recorded(repo, commit, parent, known, promoted) if cut else None
            if record is None:
                record = _record(repo, commit, parent, cut, commit.commit_time >= since, known.get(key))
        elif key in known:
            record = known[key]
        else:
            break
        out.append((key, record))
        if record["time"] < since or record["parent"] is None or record.get("cut") or record["events"] is None:
            break
        sha = record["parent"].encode()
    return out


def _tip_snapshot(repo, tip_commit):
    """Return the tip's snapshot.json as a dict, or None when it has none."""
    try:
        _, sha = tree_lookup_path(repo.__getitem__, tip_commit.tree, SNAPSHOT.encode())
        return json.loads(repo[sha].as_raw_string())
    except (KeyError, ValueError):
        return None


def _pending(repo, tip_commit, current):
    """Return the events of the promoted snapshot against the branch tip, or None when the tip is it.

    The two snapshot.json files say which files differ (sha256); only those are hashed and looked up."""
    snapshot, official = current["snapshot"], current["official"]
    tip_tree = official_tree(repo, tip_commit)
    tip_snapshot = _tip_snapshot(repo, tip_commit)
    if tip_snapshot and (tip_snapshot.get("run_id"), tip_snapshot.get("time")) == (snapshot.get("run_id"),
                                                                                  snapshot.get("time")):
        return None
    if tip_snapshot is not None and tip_tree is not None:
        before = {f["path"]: f.get("sha256") for f in tip_snapshot.get("files", [])}
        lookup = _holds_blob(repo, tip_tree)
    else:   # no manifest to compare with: every file is hashed against the tree
        blobs = tree_files(repo, tip_tree)
        before, lookup = dict.fromkeys(blobs), blobs.get
    now = {f["path"]: f.get("sha256") for f in snapshot.get("files", [])}
    on_disk, news = {}, []
    for path, digest in now.items():
        if path in before and before[path] == digest:
            continue
        with open(os.path.join(official, path), "rb") as handle:
            blob = git_blob_id(handle.read())
        if lookup(path) != blob:
            on_disk[blob] = os.path.join(official, path)
            news.append((path, blob))
    olds = [(path, lookup(path)) for path in before if path not in now]
    olds += [(path, lookup(path)) for path, _ in news if path in before]

    def read(blob):
        if blob in on_disk:
            with open(on_disk[blob], "rb") as handle:
                return handle.read()
        return blob_text(repo, blob)
    return group_events([o for o in olds if o[1]], news, read, before.__contains__, now.__contains__)


def _holds_blob(repo, tree):
    """Return `blob_of(path)`: the blob id a path has in an official/ tree, or None."""
    def blob_of(path):
        try:
            return tree_lookup_path(repo.__getitem__, tree, path.encode("utf-8", "surrogateescape"))[1].decode()
        except (KeyError, NotTreeError):
            return None
    return blob_of


def _iso(value):
    """Return a snapshot.json time (ISO text) as an ISO UTC second; other text as it is (never the clock:
    the same snapshot must give the same history)."""
    try:
        moment = datetime.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value or "")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc).isoformat(timespec="seconds")


def site_history(repo_path, branch, days, known=None, current=None, now=None):
    """Return the site's history: snapshots (oldest first; the promoted one last when it is not committed yet),
    page events tagged with the snapshot they belong to, where history starts and why, and the records a next
    render can reuse (`cache`)."""
    since = (now if now is not None else time.time()) - days * 86400
    known = known if (known or {}).get("format") == CACHE_FORMAT else {}
    with open_repo(repo_path) as repo:
        tip = read_ref(repo, branch_ref(branch))
        walked = _walk(repo, tip, since, known.get("commits", {}), known.get("promoted")) if tip is not None else []
        # The very first snapshot has nothing to be compared with: no file is hashed for it.
        pending = None if not current else [] if tip is None else _pending(repo, repo[tip], current)
    walked.reverse()
    snapshots = [{"commit": sha, "date": iso_of(rec["time"]), "run_id": rec["run_id"]} for sha, rec in walked]
    events = [dict(event, snap=i) for i, (_, rec) in enumerate(walked) if i for event in rec["events"] or ()]
    if pending is not None:
        snapshots.append({"commit": None, "date": _iso(current["snapshot"].get("time")),
                          "run_id": current["snapshot"].get("run_id")})
        events += [dict(event, snap=len(snapshots) - 1) for event in pending]
    base = walked[0][1] if walked else None
    cache = {"format": CACHE_FORMAT, "commits": dict(walked)}
    if pending is not None and tip is not None:
        cache["promoted"] = {"parent": tip.decode(), "run_id": current["snapshot"].get("run_id"), "events": pending}
    return {"snapshots": snapshots, "events": events, "days": days,
            "first": base is None or base["parent"] is None,
            "cut": bool(base and base.get("cut")), "deeper": DEEPER.format(branch=branch), "cache": cache}


def blob_reader(repo_path):
    """Return a context manager yielding `read(blob id) -> bytes or None` over the repository's objects."""
    @contextlib.contextmanager
    def reader():
        with open_repo(repo_path) as repo:
            yield lambda blob: blob_text(repo, blob)
    return reader()
