"""What the remote really holds after a push: its tip's commit and trees read back into a scratch store (blobless
where the remote filters), every tree walked, a sample of files fetched by id and re-hashed, every Git LFS object
asked for; what it lacks and this repository holds is sent again.

restic's `check --read-data-subset` is the model: a backup is only as good as what can be read back from it. Where
the remote cannot filter (a local path) the whole tip comes back and every file's presence is checked too.
"""
import datetime
import logging
import os
import random
import shutil
import stat
import tempfile
import time

from dulwich.pack import full_unpacked_object
from dulwich.protocol import ZERO_SHA
from dulwich.repo import Repo

from lib.core.clock import now_iso
from lib.core.errors import PublishError
from lib.core.redact import redact
from lib.git.lfs import LocalStore, pointers_in_tree
from lib.git.objects import branch_ref, holder, open_repo
from lib.git.partial import fetch_blobs, fetch_lfs_pointers
from lib.git.remote import BLOBLESS, client_for, describe_location, guarded, resolve_remote
from lib.git.store import iter_blob

log = logging.getLogger(__name__)

SAMPLE = 64             # files read back whole and re-hashed per check (fetched by id, one at a time, when blobless)
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
    """Fetch the remote's tip alone (depth 1, its commit and trees where the remote filters) into a new store in
    `folder`; return (store, remote tip, problem)."""
    scratch = Repo.init_bare(tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=folder))
    seen = {}

    def wants(refs, depth=None):
        seen["tip"] = refs.get(ref)
        return [seen["tip"]] if seen["tip"] else []

    def run():
        client, path = client_for(location, credentials)
        return client.fetch(path, scratch, determine_wants=wants, ref_prefix=[ref], depth=1, filter_spec=BLOBLESS)
    try:
        guarded("read back from", location, run)
    except (PublishError, KeyError, ValueError) as exc:   # a remote that lacks an object cannot pack it
        return scratch, seen.get("tip"), f"the remote could not send its tip's objects: {redact(str(exc))}"
    if not seen.get("tip"):
        return scratch, None, "the remote has no such branch"
    return scratch, seen["tip"], None


def _walk(store, tree_id, blobs, problems, trees, prefix=b""):
    """Collect (path, sha) of every file below `tree_id` and every tree's id, noting each tree that is not there."""
    try:
        tree = store[tree_id]
    except KeyError:
        problems.append(f"tree {prefix.decode('utf-8', 'replace') or '/'} ({tree_id.decode()}) is missing")
        return
    trees.append(tree_id)
    for entry in tree.iteritems():
        if stat.S_ISDIR(entry.mode):
            _walk(store, entry.sha, blobs, problems, trees, prefix + entry.path + b"/")
        elif entry.mode != 0o160000:   # a submodule's commit is not an object of this repository
            blobs.append((prefix + entry.path, entry.sha))


def _fetch_one(location, credentials, sha, folder):
    """Fetch the blob `sha` by id into a store of its own in `folder` and re-hash it; return a problem or None."""
    store = tempfile.mkdtemp(prefix="sample-", dir=folder)
    try:
        Repo.init_bare(store).close()
        fetch_blobs(store, location, [sha], credentials, report=False)
        with open_repo(store) as sample:
            for _ in iter_blob(sample.object_store, sha):
                pass
        return None
    except (PublishError, KeyError, ValueError) as exc:   # a remote that lacks the blob cannot pack it
        return redact(str(exc))[:200]
    finally:
        shutil.rmtree(store, ignore_errors=True)   # one sampled file on disk at a time


def _missing(path, sha, unheld):
    """The problem of a file the remote lacks, saying when this runner cannot send it again."""
    return (f"file {path.decode('utf-8', 'replace')} ({sha.decode()[:12]}) is missing"
            + (" and this runner does not hold it (not sent again)" if sha in unheld else ""))


def _git_problems(scratch, tip, result, location, credentials, unheld=frozenset()):
    """Check the scratch store's copy of `tip`: every tree present, every file too when the remote sent them all
    (`whole`), else (`trees`: it filtered) a sample fetched by id; a sample re-hashed; return (problems, lacking)."""
    problems, blobs, trees = [], [], []
    try:
        commit = scratch[tip]
    except KeyError:
        return [f"the tip commit {tip.decode()[:12]} did not come back"], set()
    _walk(scratch.object_store, commit.tree, blobs, problems, trees)
    here = holder(scratch.object_store)
    filtered = bool(blobs) and not any(here(sha) for _, sha in blobs)
    result.update(trees=len(trees), files=len(blobs), read_back="trees" if filtered else "whole")
    sample = random.Random(tip).sample(blobs, min(SAMPLE, len(blobs)))
    lacking = set() if filtered else {sha for _, sha in blobs if not here(sha)}
    for path, sha in sample:
        if filtered:
            failed = _fetch_one(location, credentials, sha, scratch.path)
            if failed:
                lacking.add(sha)
                log.warning("remote check: %s did not come back: %s", path.decode("utf-8", "replace"), failed)
            continue
        try:
            for _ in iter_blob(scratch.object_store, sha):
                pass
        except (KeyError, ValueError) as exc:
            problems.append(f"file {path.decode('utf-8', 'replace')} does not read back: {exc}")
    problems += [_missing(path, sha, unheld) for path, sha in blobs if sha in lacking]
    result["sampled"] = len(sample)
    return problems, lacking


def _lfs_problems(repo_path, scratch, tip, lfs_store, result, location, credentials):
    """Ask the LFS store for every object the tip points to, sending again those it lacks that we hold."""
    if tip not in scratch.object_store:
        return []
    if result.get("read_back") == "trees":   # the pointers are blobs: fetched by id, small
        try:
            fetch_lfs_pointers(scratch, scratch[tip].tree,
                               lambda shas: fetch_blobs(scratch.path, location, shas, credentials))
        except PublishError as exc:
            return [f"the tip's Git LFS pointers did not come back: {redact(str(exc))[:200]}"]
    pointers = pointers_in_tree(scratch.object_store, scratch[tip].tree)
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
    """Send every object of `tip` this repository holds again under RESEND_REF, then drop that ref; return the ids
    of the tip's files it does not hold (a blobless runner's), or None when it does not hold the tip."""
    with open_repo(repo_path) as repo:
        if tip not in repo.object_store:
            return None
        here, blobs, trees = holder(repo.object_store), [], []
        _walk(repo.object_store, repo[tip].tree, blobs, [], trees)
        unheld = {sha for _, sha in blobs if not here(sha)}
        ids = [tip, *trees, *sorted({sha for _, sha in blobs} - unheld)]

        def pack(have, want, *, ofs_delta=False, progress=None):
            # The tip's own objects, whatever the remote says it has: the check showed it does not. The branch
            # already names the tip, so the remote's connectivity check accepts a pack without the files we lack.
            return len(ids), (full_unpacked_object(repo.object_store[sha]) for sha in ids)

        def run():
            client, path = client_for(location, credentials)
            client.send_pack(path, lambda refs: {RESEND_REF: tip}, generate_pack_data=pack)
            client.send_pack(path, lambda refs: {RESEND_REF: ZERO_SHA}, generate_pack_data=pack)
        guarded("send again to", location, run)
    return unheld


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
        problems = [problem] if problem else _git_problems(scratch, tip, result, location, credentials)[0]
        unheld = _resend(repo_path, location, tip, credentials) if problems and tip else None
        if unheld is not None:
            log.warning("remote check: %s lacks objects of %s (%s); sent again what this runner holds",
                        result["remote"], branch, problems[0])
            result["resent_git"] = True
            scratch, tip, problem = _read_back(location, ref, credentials, scratch_dir)
            stores.append(scratch)
            problems, lacking = ([problem], set()) if problem else _git_problems(scratch, tip, result, location,
                                                                                 credentials, unheld)
            if lacking & unheld:
                result["not_resent"] = len(lacking & unheld)
        problems += (_lfs_problems(repo_path, scratch, tip, lfs_store, result, location, credentials)
                     if tip and not problem else [])
    finally:
        for store in stores:
            store.close()
            shutil.rmtree(store.path, ignore_errors=True)
    result.update(commit=tip.decode() if tip else None, ok=not problems, problems=problems[:SHOWN],
                  problem_count=len(problems), seconds=round(time.monotonic() - started, 3))
    (log.info if result["ok"] else log.error)(
        "remote check of %s at %s: %s", branch, (result["commit"] or "?")[:12],
        ("every tree and file there " if result.get("read_back") != "trees" else "every tree there, files sampled ")
        + f"({result.get('trees', 0)} trees, {result.get('files', 0)} files, {result.get('sampled', 0)} re-read), "
        f"{result.get('lfs_objects', 0)} LFS object(s) present" if result["ok"] else
        f"{len(problems)} problem(s): {'; '.join(problems[:3])}")
    return result
