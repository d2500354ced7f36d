"""A fresh runner fetches only the tip snapshot (shallow), commits on top and pushes; deeper history only on request."""
from pathlib import Path

import pytest

from lib.core.fsutil import tree_manifest, write_json_atomic
from lib.git.history import fetch_depth
from lib.git.objects import open_repo
from lib.git.remote import fetch_branch, push_branch
from lib.git.restore import restore_from_tip
from lib.git.commit_snapshot import snapshot_directory
from lib.git.verify import list_snapshots, verify_branch
from tests.lib.git.gitutil import BRANCH, GitHTTPServer, fsck, git, log, ls_tree, rev

TOKEN = "ghs_ShallowPushToken0987654321"
SNAPSHOTS = 6


def snapshot(repo, backups, n):
    """Write snapshot n: page Day n replaces the previous day's, Home stays; snapshot.json lists official/ as promote does."""
    official = backups / "official"
    official.mkdir(parents=True, exist_ok=True)
    for old in official.glob("Day *.md"):
        old.unlink()
    (official / "Home 0.md").write_text("# Home\n")
    (official / f"Day {n}.md").write_text(f"# Day {n}\n" + "text\n" * n)
    manifest = tree_manifest(official)
    write_json_atomic(backups / "manifests" / "snapshot.json", {"run_id": f"day-{n}", "files": manifest["files"]})
    return snapshot_directory(str(repo), str(backups), BRANCH, f"Snapshot day-{n}")


def objects_in(repo):
    """Every object id git itself can find in `repo` (loose and packed)."""
    out = git("--git-dir", str(repo), "cat-file", "--batch-all-objects", "--batch-check=%(objectname)")
    return set(out.decode().split())


@pytest.fixture
def history(tmp_path):
    """A bare remote holding SNAPSHOTS snapshots written by a long-lived runner."""
    remote, writer, backups = tmp_path / "remote.git", tmp_path / "writer.git", tmp_path / "backups"
    git("init", "-q", "--bare", "-b", "main", str(remote))
    commits = [snapshot(writer, backups, n)["commit"] for n in range(SNAPSHOTS)]
    push_branch(str(writer), str(remote), BRANCH)
    return {"remote": remote, "writer": writer, "backups": backups, "commits": commits, "tmp": tmp_path}


def test_fresh_runner_fetches_the_tip_only_and_its_push_is_whole_for_git(history):
    remote, fresh = history["remote"], history["tmp"] / "fresh.git"
    assert fetch_branch(str(fresh), str(remote), BRANCH) == history["commits"][-1]
    assert git("--git-dir", str(fresh), "rev-list", BRANCH).decode().split() == [history["commits"][-1]]
    assert (fresh / "shallow").read_text().split() == [history["commits"][-1]]
    # Exactly the tip commit and what its tree needs: no older commit, no blob only older snapshots held.
    tip = git("--git-dir", str(remote), "rev-list", "--objects", "--no-walk", history["commits"][-1]).decode()
    assert objects_in(fresh) == {line.split()[0] for line in tip.splitlines()}
    restored = history["tmp"] / "restored"
    restore_from_tip(str(fresh), BRANCH, str(restored))
    assert (restored / "official" / f"Day {SNAPSHOTS - 1}.md").exists()
    new = snapshot(fresh, history["backups"], SNAPSHOTS)
    assert new["parent"] == history["commits"][-1]
    assert push_branch(str(fresh), str(remote), BRANCH)["pushed"]
    fsck(remote)
    assert [c[0] for c in log(remote)] == [new["commit"]] + history["commits"][::-1]
    clone = history["tmp"] / "clone"
    git("clone", "-q", "-b", BRANCH, str(remote), str(clone))
    fsck(clone / ".git")
    assert len(log(clone / ".git")) == SNAPSHOTS + 1


def test_a_shallow_runner_fetches_only_what_is_new_and_reparents_onto_a_moved_remote(history):
    remote, fresh, writer = history["remote"], history["tmp"] / "fresh.git", history["writer"]
    fetch_branch(str(fresh), str(remote), BRANCH)
    before = objects_in(fresh)
    other = snapshot(writer, history["tmp"] / "other-backups", 100)   # another writer moves the remote
    push_branch(str(writer), str(remote), BRANCH)
    ours = snapshot(fresh, history["backups"], 200)
    result = push_branch(str(fresh), str(remote), BRANCH)
    assert result["pushed"] and result["attempts"] == 2
    history_now = log(remote)
    assert history_now[0][1] == [other["commit"]] and history_now[0][2] == "Snapshot day-200"
    fsck(remote)
    # The second fetch brought the other writer's snapshot, not the history below the shallow tip.
    fetched = objects_in(fresh) - before
    assert not fetched & set(history["commits"][:-1])
    assert other["commit"] in fetched and ours["commit"] in objects_in(fresh)
    assert (fresh / "shallow").read_text().split() == [history["commits"][-1]]


def test_verify_and_snapshots_work_shallow_and_deepen_only_when_asked(history):
    remote, fresh = history["remote"], history["tmp"] / "fresh.git"
    fetch_branch(str(fresh), str(remote), BRANCH)
    checked = verify_branch(str(fresh), BRANCH)
    assert checked["ok"] and checked["shallow"] and checked["commits"] == 1
    rows = list_snapshots(str(fresh), BRANCH)
    assert len(rows) == 1 and rows[0]["added"] is None and rows[0]["counts"]["md"] == 2
    fetch_branch(str(fresh), str(remote), BRANCH, deepen=3)
    rows = list_snapshots(str(fresh), BRANCH, limit=2)
    assert [r["run_id"] for r in rows] == [f"day-{SNAPSHOTS - 1}", f"day-{SNAPSHOTS - 2}"]
    assert [(r["added"], r["removed"], r["changed"]) for r in rows] == [(1, 1, 0), (1, 1, 0)]
    fetch_branch(str(fresh), str(remote), BRANCH, deepen=0)
    assert not (fresh / "shallow").exists() or not (fresh / "shallow").read_text().strip()
    checked = verify_branch(str(fresh), BRANCH)
    assert checked["ok"] and not checked["shallow"] and checked["commits"] == SNAPSHOTS
    assert ls_tree(fresh) == ls_tree(remote)
    fsck(fresh)


def test_a_complete_local_history_is_never_cut_by_a_depth(history):
    with open_repo(str(history["writer"])) as repo:
        tip = repo.refs[b"refs/heads/" + BRANCH.encode()]
        assert fetch_depth(repo, tip) is None and fetch_depth(repo, tip, deepen=2) is None
        assert fetch_depth(repo, None) == 1
    fetch_branch(str(history["writer"]), str(history["remote"]), BRANCH, deepen=2)
    assert not (history["writer"] / "shallow").exists()
    assert len(log(history["writer"])) == SNAPSHOTS


def test_project_checkout_cloned_with_depth_one_takes_the_shallow_branch_beside_main(history):
    """The CI shape: actions/checkout made a depth-1 clone of main; the branch lands shallow beside it."""
    origin = history["tmp"] / "origin"
    git("init", "-q", "-b", "main", str(origin))
    for n in range(3):
        (origin / "README.md").write_text(f"code {n}\n")
        git("add", ".", cwd=origin)
        git("commit", "-q", "-m", f"code {n}", cwd=origin)
    git("push", "-q", str(history["remote"]), "main", cwd=origin)
    project = history["tmp"] / "project"
    git("clone", "-q", "--depth", "1", "-b", "main", f"file://{history['remote']}", str(project))
    assert fetch_branch(str(project), "origin", BRANCH) == history["commits"][-1]
    assert len(log(project / ".git", "main")) == 1 and len(log(project / ".git")) == 1
    new = snapshot(project, history["backups"], SNAPSHOTS)
    push_branch(str(project), "origin", BRANCH)
    assert rev(history["remote"], BRANCH) == new["commit"]
    fsck(project / ".git")
    fsck(history["remote"])


def test_shallow_fetch_and_push_over_http(history):
    srv_root = history["tmp"] / "srv"
    srv_root.mkdir()
    Path(history["remote"]).rename(srv_root / "backup.git")
    remote, creds = srv_root / "backup.git", ("x-access-token", TOKEN)
    with GitHTTPServer(srv_root, password=TOKEN) as server:
        url, fresh = server.url("backup.git"), history["tmp"] / "fresh.git"
        assert fetch_branch(str(fresh), url, BRANCH, creds) == history["commits"][-1]
        assert git("--git-dir", str(fresh), "rev-list", BRANCH).decode().split() == [history["commits"][-1]]
        new = snapshot(fresh, history["backups"], SNAPSHOTS)
        assert push_branch(str(fresh), url, BRANCH, creds)["pushed"]
        fetch_branch(str(fresh), url, BRANCH, creds, deepen=0)
        assert verify_branch(str(fresh), BRANCH)["commits"] == SNAPSHOTS + 1
    fsck(remote)
    assert [c[0] for c in log(remote)] == [new["commit"]] + history["commits"][::-1]
    clone = history["tmp"] / "clone"
    git("clone", "-q", "-b", BRANCH, str(remote), str(clone))
    fsck(clone / ".git")
