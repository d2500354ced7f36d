"""What the remote really holds after a push: its tip read back into a scratch store, every tree walked, a sample
of files re-hashed, every Git LFS object asked for; what it lacks and this repository holds is sent again.

restic's `check --read-data-subset` is the model: a backup is only as good as what can be read back from it.
"""
import datetime
import logging
import os
import random
import shutil
import stat
import tempfile
import time

from dulwich.protocol import ZERO_SHA
from dulwich.repo import Repo

from lib.core.clock import now_iso
from lib.core.errors import PublishError
from lib.core.redact import redact
from lib.git.lfs import LocalStore, pointers_in_tree
from lib.git.objects import branch_ref, open_repo
from lib.git.remote import client_for, describe_location, guarded, resolve_remote
from lib.git.store import iter_blob

log = logging.getLogger(__name__)

SAMPLE = 64             # files read back whole and re-hashed per check
SHOWN = 20              # problems kept in the record
# A ref of our own under which the tip's objects are sent again (the branch itself tells the remote it has them).
RESEND_REF = b"refs/notion-backup/resend"
SCRATCH_PREFIX = "remote-check-"


def is_due(schedule, last, now=None):
    """True when BACKUP_VERIFY_REMOTE asks for a check now: `daily`; `weekly` when the last check failed or was
    in an earlier ISO week (or none is recorded); never when `off`."""
    if schedule == "off":
        return False
    if schedule == "daily" or not last or not last.get("ok"):
        return True
    try:
        when = datetime.datetime.fromisoformat(last["time"])
    except (KeyError, TypeError, ValueError):
        return True
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return when.isocalendar()[:2] != now.isocalendar()[:2]


def _read_back(location, ref, credentials, folder):
    """Fetch the remote's tip alone (depth 1) into a new store in `folder`; return (store, remote tip, problem)."""
    scratch = Repo.init_bare(tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=folder))
    seen = {}

    def wants(refs, depth=None):
        seen["tip"] = refs.get(ref)
        return [seen["tip"]] if seen["tip"] else []

    def run():
        client, path = client_for(location, credentials)
        return client.fetch(path, scratch, determine_wants=wants, ref_prefix=[ref], depth=1)
    try:
        guarded("read back from", location, run)
    except (PublishError, KeyError, ValueError) as exc:   # a remote that lacks an object cannot pack it
        return scratch, seen.get("tip"), f"the remote could not send its tip's objects: {redact(str(exc))}"
    if not seen.get("tip"):
        return scratch, None, "the remote has no such branch"
    return scratch, seen["tip"], None


def _walk(store, tree_id, blobs, problems, prefix=b""):
    """Collect (path, sha) of every file below `tree_id`, noting each tree that is not there; return the tree count."""
    try:
        tree = store[tree_id]
    except KeyError:
        problems.append(f"tree {prefix.decode('utf-8', 'replace') or '/'} ({tree_id.decode()}) is missing")
        return 0
    count = 1
    for entry in tree.iteritems():
        if stat.S_ISDIR(entry.mode):
            count += _walk(store, entry.sha, blobs, problems, prefix + entry.path + b"/")
        elif entry.mode != 0o160000:   # a submodule's commit is not an object of this repository
            blobs.append((prefix + entry.path, entry.sha))
    return count


def _git_problems(scratch, tip, result):
    """Check the scratch store's copy of `tip`: every tree and file present, a sample re-hashed; return problems."""
    problems, blobs = [], []
    try:
        commit = scratch[tip]
    except KeyError:
        return [f"the tip commit {tip.decode()[:12]} did not come back"]
    result["trees"] = _walk(scratch.object_store, commit.tree, blobs, problems)
    result["files"] = len(blobs)
    problems += [f"file {path.decode('utf-8', 'replace')} ({sha.decode()[:12]}) is missing"
                 for path, sha in blobs if sha not in scratch.object_store]
    sample = random.Random(tip).sample(blobs, min(SAMPLE, len(blobs)))
    for path, sha in sample:
        try:
            for _ in iter_blob(scratch.object_store, sha):
                pass
        except (KeyError, ValueError) as exc:
            problems.append(f"file {path.decode('utf-8', 'replace')} does not read back: {exc}")
    result["sampled"] = len(sample)
    return problems


def _lfs_problems(repo_path, scratch, tip, lfs_store, result):
    """Ask the LFS store for every object the tip points to, sending again those it lacks that we hold."""
    pointers = pointers_in_tree(scratch.object_store, scratch[tip].tree) if tip in scratch.object_store else []
    objects = sorted({(oid, size) for _, oid, size in pointers})
    result["lfs_objects"] = len(objects)
    if not objects or lfs_store is None:
        return [] if not objects else [f"{len(objects)} Git LFS object(s) and no LFS store to ask"]
    lacking = lfs_store.missing(objects)
    if lacking:
        with open_repo(repo_path) as repo:
            local = LocalStore(os.path.join(repo.controldir(), "lfs"))
        held = [(oid, size) for oid, size in lacking if local.has(oid, size)]
        result["resent_lfs"] = lfs_store.upload(local, held) if held else 0
        lacking = lfs_store.missing(lacking)
    return [f"Git LFS object {oid} ({size} bytes) is not on {lfs_store.where}" for oid, size in lacking]


def _resend(repo_path, location, tip, credentials):
    """Send every object of `tip` again under RESEND_REF, then drop that ref; False when we do not hold the tip."""
    with open_repo(repo_path) as repo:
        if tip not in repo.object_store:
            return False

        def pack(have, want, *, ofs_delta=False, progress=None):
            # The tip's own objects, whatever the remote says it has: the check showed it does not.
            return repo.object_store.generate_pack_data(set(), {tip}, shallow={tip}, progress=progress,
                                                        ofs_delta=ofs_delta)

        def run():
            client, path = client_for(location, credentials)
            client.send_pack(path, lambda refs: {RESEND_REF: tip}, generate_pack_data=pack)
            client.send_pack(path, lambda refs: {RESEND_REF: ZERO_SHA}, generate_pack_data=pack)
        guarded("send again to", location, run)
    return True


def check_remote(repo_path, remote, branch, credentials, lfs_store, scratch_dir):
    """Read the remote's `branch` back and check it (see the module); return the record, `ok` False on a loss."""
    started, ref = time.monotonic(), branch_ref(branch)
    with open_repo(repo_path) as repo:
        location = resolve_remote(repo, remote)
    result = {"time": now_iso(), "remote": describe_location(location), "branch": branch, "resent_git": False}
    for name in os.listdir(scratch_dir):   # left by a check that was killed
        if name.startswith(SCRATCH_PREFIX):
            shutil.rmtree(os.path.join(scratch_dir, name), ignore_errors=True)
    stores = []
    try:
        scratch, tip, problem = _read_back(location, ref, credentials, scratch_dir)
        stores.append(scratch)
        problems = [problem] if problem else _git_problems(scratch, tip, result)
        if problems and tip and _resend(repo_path, location, tip, credentials):
            log.warning("remote check: %s lacks objects of %s (%s); sent them again", result["remote"], branch,
                        problems[0])
            result["resent_git"] = True
            scratch, tip, problem = _read_back(location, ref, credentials, scratch_dir)
            stores.append(scratch)
            problems = [problem] if problem else _git_problems(scratch, tip, result)
        problems += _lfs_problems(repo_path, scratch, tip, lfs_store, result) if tip and not problem else []
    finally:
        for store in stores:
            store.close()
            shutil.rmtree(store.path, ignore_errors=True)
    result.update(commit=tip.decode() if tip else None, ok=not problems, problems=problems[:SHOWN],
                  problem_count=len(problems), seconds=round(time.monotonic() - started, 3))
    (log.info if result["ok"] else log.error)(
        "remote check of %s at %s: %s", branch, (result["commit"] or "?")[:12], "every tree and file there "
        f"({result.get('trees', 0)} trees, {result.get('files', 0)} files, {result.get('sampled', 0)} re-read), "
        f"{result.get('lfs_objects', 0)} LFS object(s) present" if result["ok"] else
        f"{len(problems)} problem(s): {'; '.join(problems[:3])}")
    return result
