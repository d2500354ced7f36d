"""Fetch and push of the snapshot branch to a local bare repository, checked with the real git binary."""
import shutil

import pytest

from lib.core.errors import PublishError
from lib.git.remote import fetch_branch, push_branch
from lib.git.commit_snapshot import snapshot_directory
from tests.lib.git.gitutil import BRANCH, fsck, git, log, ls_tree, rev
from tests.lib.git.test_snapshot import make_backups


@pytest.fixture
def world(tmp_path):
    """A bare 'remote' holding an unrelated main branch, a cache repo and a backups tree."""
    remote = tmp_path / "remote.git"
    git("init", "-q", "--bare", "-b", "main", str(remote))
    work = tmp_path / "work"
    git("init", "-q", "-b", "main", str(work))
    (work / "README.md").write_text("code\n")
    git("add", ".", cwd=work)
    git("commit", "-q", "-m", "code", cwd=work)
    git("push", "-q", str(remote), "main", cwd=work)
    backups = make_backups(tmp_path / "backups")
    return {"remote": remote, "cache": tmp_path / "cache.git", "backups": backups, "tmp": tmp_path}


def edit(backups, name, text):
    (backups / "official" / name).write_text(text)


def test_first_push_creates_the_orphan_branch_next_to_main(world):
    assert fetch_branch(str(world["cache"]), str(world["remote"]), BRANCH) is None
    snap = snapshot_directory(str(world["cache"]), str(world["backups"]), BRANCH, "first")
    result = push_branch(str(world["cache"]), str(world["remote"]), BRANCH)
    assert result["pushed"] and result["remote_tip"] == snap["commit"]
    assert rev(world["remote"], BRANCH) == snap["commit"]
    assert rev(world["remote"], "main") is not None
    assert ls_tree(world["remote"]) == ls_tree(world["cache"])
    fsck(world["remote"])
    again = push_branch(str(world["cache"]), str(world["remote"]), BRANCH)
    assert again == {"pushed": False, "remote_tip": snap["commit"], "attempts": 1}


def test_lost_local_cache_is_repaired_from_the_remote_tip(world):
    fetch_branch(str(world["cache"]), str(world["remote"]), BRANCH)
    first = snapshot_directory(str(world["cache"]), str(world["backups"]), BRANCH, "first")
    push_branch(str(world["cache"]), str(world["remote"]), BRANCH)
    shutil.rmtree(world["cache"])                             # e.g. a fresh CI runner
    tip = fetch_branch(str(world["cache"]), str(world["remote"]), BRANCH)
    assert tip == first["commit"] and rev(world["cache"], BRANCH) == first["commit"]
    assert rev(world["cache"], "main") is None                # only the snapshot branch was fetched
    unchanged = snapshot_directory(str(world["cache"]), str(world["backups"]), BRANCH, "same")
    assert not unchanged["changed"]
    edit(world["backups"], "new.md", "new page\n")
    second = snapshot_directory(str(world["cache"]), str(world["backups"]), BRANCH, "second")
    assert second["parent"] == first["commit"]
    push_branch(str(world["cache"]), str(world["remote"]), BRANCH)
    assert [c[0] for c in log(world["remote"])] == [second["commit"], first["commit"]]
    fsck(world["remote"])


def test_remote_moved_the_snapshot_is_reparented_never_forced(world):
    fetch_branch(str(world["cache"]), str(world["remote"]), BRANCH)
    snapshot_directory(str(world["cache"]), str(world["backups"]), BRANCH, "first")
    push_branch(str(world["cache"]), str(world["remote"]), BRANCH)
    # Another runner with its own cache pushes a snapshot first.
    other_cache, other_backups = world["tmp"] / "other.git", make_backups(world["tmp"] / "other")
    fetch_branch(str(other_cache), str(world["remote"]), BRANCH)
    edit(other_backups, "theirs.md", "pushed by the other run\n")
    theirs = snapshot_directory(str(other_cache), str(other_backups), BRANCH, "theirs")
    push_branch(str(other_cache), str(world["remote"]), BRANCH)
    # Our run did not fetch again before its snapshot.
    edit(world["backups"], "ours.md", "ours\n")
    ours = snapshot_directory(str(world["cache"]), str(world["backups"]), BRANCH, "ours")
    result = push_branch(str(world["cache"]), str(world["remote"]), BRANCH)
    assert result["pushed"] and result["attempts"] == 2
    history = log(world["remote"])
    assert history[1][0] == theirs["commit"]                  # their snapshot kept, ours on top
    assert history[0][1] == [theirs["commit"]] and history[0][2] == "ours"
    assert git("--git-dir", str(world["remote"]), "rev-parse", f"{BRANCH}^{{tree}}").decode().strip() == ours["tree"]
    assert all(len(parents) <= 1 for _, parents, _ in history)
    kept = git("--git-dir", str(world["cache"]), "for-each-ref", "--format=%(objectname)",
               "refs/notion-backup/diverged/").decode().split()
    assert kept == [ours["commit"]]                           # the pre-rebase tip is not lost
    fsck(world["remote"])
    fsck(world["cache"])


def test_remote_given_as_a_configured_remote_name(world):
    project = world["tmp"] / "project"
    git("init", "-q", "-b", "main", str(project))
    git("remote", "add", "origin", str(world["remote"]), cwd=project)
    snap = snapshot_directory(str(project), str(world["backups"]), BRANCH, "first")
    push_branch(str(project), "origin", BRANCH)
    assert rev(world["remote"], BRANCH) == snap["commit"]
    assert fetch_branch(str(project), "origin", BRANCH) == snap["commit"]
    assert rev(project / ".git", f"refs/remotes/origin/{BRANCH}") == snap["commit"]


def test_unreachable_local_remote_is_a_clear_error_not_a_first_backup(world):
    missing = world["tmp"] / "gone.git"
    with pytest.raises(PublishError) as caught:
        fetch_branch(str(world["cache"]), str(missing), BRANCH)
    assert "gone.git" in str(caught.value) and "BACKUP_GIT_REMOTE" in str(caught.value)
    not_a_repo = world["tmp"] / "plain"
    not_a_repo.mkdir()
    with pytest.raises(PublishError, match="not a git repository"):
        fetch_branch(str(world["cache"]), str(not_a_repo), BRANCH)


def test_stale_lock_in_a_local_remote_is_a_clear_error(world):
    snapshot_directory(str(world["cache"]), str(world["backups"]), BRANCH, "first")
    (world["remote"] / "refs" / "heads" / f"{BRANCH}.lock").write_text("")
    with pytest.raises(PublishError) as caught:
        push_branch(str(world["cache"]), str(world["remote"]), BRANCH)
    assert f"{BRANCH}.lock exists" in str(caught.value) and "delete that .lock file" in str(caught.value)
    assert rev(world["remote"], BRANCH) is None
