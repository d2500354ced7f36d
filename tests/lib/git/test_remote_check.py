"""After the push, the remote is read back: what it lacks is found, what this repository holds is sent again, and
a loss that cannot be repaired is reported (issue 22); the real git binary judges the remote afterwards."""
import datetime
import hashlib
import os
import shutil
import subprocess

from lib.git.lfs_remote import open_remote, push_objects
from lib.git.remote import fetch_branch, push_branch
from lib.git.remote_check import check_remote, is_due
from tests.fakes.lfs_server import FakeLFS
from tests.lib.git.gitutil import BRANCH, git, ls_tree
from tests.lib.git.test_lfs import commit, make_backups


def has_object(remote, sha):
    """True when the real git finds the object in the remote."""
    return subprocess.run(["git", "--git-dir", str(remote), "cat-file", "-e", sha]).returncode == 0


def lose_a_file(remote, path=b"official/Home.md", tree=False):
    """Make the bare remote lose one file's blob (or with `tree` the tree at `path`): its objects unpacked loose,
    then that one deleted."""
    packs = remote / "objects" / "pack"
    for pack in sorted(packs.glob("*.pack")):
        moved = remote.parent / pack.name
        shutil.move(pack, moved)
        pack.with_suffix(".idx").unlink()
        with open(moved, "rb") as data:
            git("unpack-objects", "-q", cwd=remote, input=data.read())
    if tree:
        sha = git("--git-dir", str(remote), "rev-parse", f"{BRANCH}:{path.decode()}").decode().strip()
    else:
        sha = ls_tree(remote)[path][1]
        sha = sha.decode() if isinstance(sha, bytes) else sha
    os.unlink(remote / "objects" / sha[:2] / sha[2:])
    return sha


def test_a_remote_that_lost_objects_gets_them_again_and_one_that_cannot_be_repaired_is_reported(tmp_path):
    backups, big = make_backups(tmp_path / "backups")
    repo, remote, fresh = tmp_path / "cache.git", tmp_path / "remote.git", tmp_path / "fresh.git"
    git("init", "-q", "--bare", str(remote))
    commit(repo, backups)
    oid = hashlib.sha256(big.read_bytes()).hexdigest()
    with FakeLFS() as lfs:
        store = open_remote(lfs.url, (lfs.username, lfs.password))
        push_objects(str(repo), BRANCH, store)
        push_branch(str(repo), str(remote), BRANCH)
        good = check_remote(str(repo), str(remote), BRANCH, None, store, str(tmp_path))
        assert good["ok"] and good["lfs_objects"] == 1 and good["files"] >= 4 and good["sampled"] == good["files"]
        tip = git("--git-dir", str(remote), "rev-parse", BRANCH).decode().strip()
        assert not good["resent_git"] and good["commit"] == tip
        lost = lose_a_file(remote)
        lfs.drop(oid)
        assert not has_object(remote, lost)
        repaired = check_remote(str(repo), str(remote), BRANCH, None, store, str(tmp_path))
        assert repaired["ok"] and repaired["resent_git"] and repaired["resent_lfs"] == 1, repaired
        assert has_object(remote, lost)
        git("--git-dir", str(remote), "fsck", "--strict")
        assert lfs.has(oid) and "refs/notion-backup" not in git("--git-dir", str(remote), "for-each-ref").decode()
        fetch_branch(str(fresh), str(remote), BRANCH)     # a runner that holds the tip but not the LFS object
        lfs.drop(oid)
        broken = check_remote(str(fresh), str(remote), BRANCH, None, store, str(tmp_path))
    assert not broken["ok"] and broken["problem_count"] == 1 and oid in broken["problems"][0]
    assert not [p for p in os.listdir(tmp_path) if p.startswith("remote-check-")]   # scratch stores removed


def test_the_schedule_is_daily_weekly_by_iso_week_or_off():
    now = datetime.datetime(2026, 12, 9, 3, tzinfo=datetime.timezone.utc)   # a Wednesday
    monday = {"time": "2026-12-07T03:00:00+00:00", "ok": True}
    sunday = {"time": "2026-12-06T23:00:00+00:00", "ok": True}
    assert not is_due("weekly", monday, now) and is_due("weekly", sunday, now)
    assert is_due("weekly", dict(monday, ok=False), now) and is_due("weekly", None, now)
    assert is_due("daily", monday, now) and not is_due("off", None, now)


def test_over_smart_http_the_lost_file_is_sent_again_through_git_receive_pack(tmp_path):
    from tests.lib.git.gitutil import GitHTTPServer
    from tests.lib.git.test_snapshot import make_backups as plain_backups
    root, repo = tmp_path / "srv", tmp_path / "cache.git"
    git("init", "-q", "--bare", "-b", "main", str(root / "backup.git"))
    with GitHTTPServer(root, password="ghs_CheckToken0123456789") as server:
        url, creds = server.url("backup.git"), ("x-access-token", "ghs_CheckToken0123456789")
        commit(repo, plain_backups(tmp_path / "backups"), lfs=False)
        push_branch(str(repo), url, BRANCH, creds)
        lost = lose_a_file(root / "backup.git", next(p for p in ls_tree(repo) if p.startswith(b"official/")))
        result = check_remote(str(repo), url, BRANCH, creds, None, str(tmp_path))
    assert result["ok"] and result["resent_git"] and has_object(root / "backup.git", lost), result
    git("--git-dir", str(root / "backup.git"), "fsck", "--strict")


def test_a_blobless_runner_reads_back_trees_and_a_sample_and_says_what_it_cannot_send_again(tmp_path):
    from tests.lib.git.gitutil import GitHTTPServer
    backups, big = make_backups(tmp_path / "backups")
    root, laptop, fresh = tmp_path / "srv", tmp_path / "laptop.git", tmp_path / "fresh.git"
    bare = root / "backup.git"
    git("init", "-q", "--bare", "-b", "main", str(bare))
    git("--git-dir", str(bare), "config", "uploadpack.allowFilter", "true")   # it filters, as GitHub does
    commit(laptop, backups)
    with FakeLFS() as lfs, GitHTTPServer(root, password="ghs_CheckToken0123456789") as server:
        url, creds = server.url("backup.git"), ("x-access-token", "ghs_CheckToken0123456789")
        store = open_remote(lfs.url, (lfs.username, lfs.password))
        push_objects(str(laptop), BRANCH, store)
        push_branch(str(laptop), url, BRANCH, creds)
        fetch_branch(str(fresh), url, BRANCH, creds, blobless=True)   # a fresh runner: commit and trees only
        lost = ls_tree(laptop)[b"official/Home.md"][1]
        lost = lost.decode() if isinstance(lost, bytes) else lost
        assert not has_object(fresh, lost)
        good = check_remote(str(fresh), url, BRANCH, creds, store, str(tmp_path))
        assert good["ok"] and good["read_back"] == "trees" and good["lfs_objects"] == 1, good
        assert good["sampled"] == good["files"] >= 4 and not good["resent_git"] and "not_resent" not in good
        lose_a_file(bare)
        unheld = check_remote(str(fresh), url, BRANCH, creds, store, str(tmp_path))
        assert not unheld["ok"] and unheld["resent_git"] and unheld["not_resent"] == 1, unheld
        assert unheld["problem_count"] == 1 and "does not hold it" in unheld["problems"][0]
        assert not has_object(bare, lost)
        repaired = check_remote(str(laptop), url, BRANCH, creds, store, str(tmp_path))
        tree = lose_a_file(bare, b"official", tree=True)   # a lost tree: the filtered fetch cannot pack the tip
        trees = check_remote(str(fresh), url, BRANCH, creds, store, str(tmp_path))
    assert repaired["ok"] and repaired["resent_git"] and repaired["read_back"] == "trees", repaired
    assert trees["ok"] and trees["resent_git"] and has_object(bare, tree), trees   # the fresh runner holds trees
    assert has_object(bare, lost) and not has_object(fresh, lost)   # the read-back left nothing in the runner
    git("--git-dir", str(bare), "fsck", "--strict")
    assert not [p for p in os.listdir(tmp_path) if p.startswith("remote-check-")]
