"""A per-checkout run lock (fcntl.flock) so two backup runs never interleave fetch, commit and push."""
import contextlib
import fcntl
import json
import logging
import os
import time

from dulwich.repo import Repo

from lib.core.errors import PublishError
from lib.core.clock import now_iso

log = logging.getLogger(__name__)

PACKED_REFS_STALE_SECONDS = 600   # packed-refs.lock is shared with git itself: only clear clearly old ones


def _read(fd):
    try:
        return json.loads(os.pread(fd, 4096, 0).decode() or "null")
    except ValueError:
        return {"pid": "?", "started": "?"}


def clear_stale_ref_locks(repo_path, branch, older_than):
    """Remove ref `.lock` files of `branch` left by a killed run (mtime before `older_than`); return them."""
    with Repo(repo_path) as repo:
        control = repo.controldir()
    name = branch.encode() if isinstance(branch, str) else branch
    removed = []
    refs_dir = os.path.join(os.fsencode(control), b"refs")
    for dirpath, _, files in os.walk(refs_dir):
        for fname in files:
            path = os.path.join(dirpath, fname)
            ours = fname == name.rsplit(b"/", 1)[-1] + b".lock" or b"/notion-backup/" in path
            if fname.endswith(b".lock") and ours and os.path.getmtime(path) < older_than:
                os.unlink(path)
                removed.append(os.fsdecode(os.path.relpath(path, os.fsencode(control))))
    # Loose objects are content-addressed and the config is rewritten whole: a dead run's .lock on either
    # guards nothing once we hold the run lock.
    objects_dir = os.path.join(os.fsencode(control), b"objects")
    candidates = [os.path.join(os.fsencode(control), b"config.lock")]
    for fan in (os.listdir(objects_dir) if os.path.isdir(objects_dir) else []):
        if len(fan) == 2:
            folder = os.path.join(objects_dir, fan)
            candidates += [os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(b".lock")]
    for path in candidates:
        if os.path.exists(path) and os.path.getmtime(path) < older_than:
            os.unlink(path)
            removed.append(os.fsdecode(os.path.relpath(path, os.fsencode(control))))
    packed = os.path.join(control, "packed-refs.lock")
    if os.path.exists(packed) and os.path.getmtime(packed) < min(older_than, time.time() - PACKED_REFS_STALE_SECONDS):
        os.unlink(packed)
        removed.append("packed-refs.lock")
    for item in removed:
        log.warning("removed stale git lock %s left by a killed run", item)
    return removed


@contextlib.contextmanager
def run_lock(path, repo_path=None, branch="notion-backups"):
    """Hold an exclusive lock on `path` for the run; clear a dead run's leftovers; yield the lock info."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read(fd) or {}
            raise PublishError(f"another backup run (pid {holder.get('pid', '?')}) holds the lock {path} "
                               f"since {holder.get('started', '?')}",
                               hint="wait for it to finish; the lock is released when that process exits") from None
        # The kernel dropped the flock of a dead holder; its record is still in the file.
        stale = _read(fd)
        if stale:
            log.warning("previous run (pid %s, started %s) died holding the lock; taking over",
                        stale.get("pid"), stale.get("started"))
        acquired = time.time()
        info = {"pid": os.getpid(), "started": now_iso()}
        # Rewrite in place: replacing the file would give a second run a different inode to lock.
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        os.fsync(fd)
        cleared = clear_stale_ref_locks(repo_path, branch, acquired) if repo_path else []
        try:
            yield dict(info, stale=stale, cleared=cleared)
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def clear_dead_run_remote_locks(remote_path, branch, older_than):
    """After our own previous run died mid-push to a local-path remote, remove the lock files it left there.

    Only called when the run lock proved that run dead; packs are content-addressed, so the re-run writes
    the very same pack and would otherwise trip over the dead run's `.lock`.
    """
    control = remote_path if os.path.isdir(os.path.join(remote_path, "objects")) else os.path.join(remote_path, ".git")
    pack_dir = os.path.join(control, "objects", "pack")
    name = branch.rsplit("/", 1)[-1]
    candidates = [os.path.join(pack_dir, f) for f in (os.listdir(pack_dir) if os.path.isdir(pack_dir) else [])
                  if f.endswith(".lock")]
    candidates.append(os.path.join(control, "refs", "heads", f"{name}.lock"))
    removed = []
    for path in candidates:
        if os.path.exists(path) and os.path.getmtime(path) < older_than:
            os.unlink(path)
            removed.append(path)
            log.warning("removed %s left in the remote by the run that died", path)
    return removed

