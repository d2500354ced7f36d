"""Test helpers: a snapshot branch of several days of a fake workspace, each commit at a chosen time."""
import datetime
import os
import shutil
from pathlib import Path

from dulwich.index import commit_tree

from lib.core.fsutil import tree_manifest, write_json_atomic
from lib.git.objects import LooseWriter, branch_ref, open_repo, read_ref, update_ref, write_commit
from lib.git.commit_snapshot import _hash_all, _list_files, format_message
from lib.git.statcache import StatCache
from tests.fakes.exports import FakeWorkspace
from tests.lib.trees import write_workspace

BRANCH = "notion-backups"
DAY = 86400


def epoch(day):
    """Return the Unix time of noon UTC on an ISO date."""
    moment = datetime.datetime.fromisoformat(day + "T12:00:00+00:00")
    return int(moment.timestamp())


def write_export(workspace, official):
    """Write a fake workspace's export files into `official` (replacing what was there)."""
    shutil.rmtree(official, ignore_errors=True)
    write_workspace(Path(official), workspace)


def promote(backups, run_id, when):
    """Write manifests/snapshot.json for backups/official, as the promote stage does."""
    manifest = tree_manifest(os.path.join(backups, "official"))
    snapshot = {"run_id": run_id, "time": datetime.datetime.fromtimestamp(when, datetime.timezone.utc).isoformat(),
                "files": manifest["files"], "counts": {"md": sum(f["path"].endswith(".md") for f in manifest["files"])}}
    write_json_atomic(os.path.join(backups, "manifests", "snapshot.json"), snapshot)
    return snapshot


def commit_backups(repo_path, backups, run_id, when, branch=BRANCH):
    """Commit `backups` (minus .staging) as the branch's next snapshot at time `when`; return the commit id."""
    with open_repo(repo_path) as repo:
        writer = LooseWriter(repo.object_store)
        items, _ = _list_files(backups, (".staging",), None)
        cache = StatCache(os.path.join(repo.controldir(), "test-stat-cache.json"))
        entries, _ = _hash_all(backups, items, writer, 1, cache)
        tree = commit_tree(repo.object_store, entries)
        ref = branch_ref(branch)
        parent = read_ref(repo, ref)
        message = format_message(run_id, {}, "passed", "notion-git-backup test")
        commit = write_commit(repo, tree, [parent] if parent else [], message, None, when=when)
        update_ref(repo, ref, parent, commit)
        return commit.decode()


def snapshot_days(repo_path, backups, days, **workspace):
    """Back up the fake workspace on each of `days` [(fake day, run id, ISO date)]; return the commit ids."""
    commits = []
    for fake_day, run_id, date in days:
        write_export(FakeWorkspace(day=fake_day, **workspace), os.path.join(backups, "official"))
        promote(backups, run_id, epoch(date))
        commits.append(commit_backups(repo_path, backups, run_id, epoch(date)))
    return commits
