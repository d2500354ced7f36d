"""One run, one snapshot: a re-run after a push the remote refused (its hook) or never got replaces its own
unpushed commit instead of stacking a second one on it (issue 22); `git log` of the remote is the judge."""
from pathlib import Path

import pytest

from lib.core.errors import PublishError
from lib.git.commit_snapshot import snapshot_directory
from lib.git.remote import fetch_branch, push_branch
from tests.lib.git.gitutil import BRANCH, git, log
from tests.lib.git.test_remote_http import TOKEN, server  # noqa: F401 - the fixture: git http-backend on 127.0.0.1
from tests.lib.git.test_snapshot import make_backups


def publish(cache, backups, url, run_id):
    """What the publish stage does: fetch, commit this run's snapshot (replacing its unpushed one), push."""
    tip = fetch_branch(str(cache), url, BRANCH, ("x-access-token", TOKEN))
    done = snapshot_directory(str(cache), str(backups), BRANCH, f"Snapshot {run_id}: test\n",
                              replace=(run_id, tip and tip.encode()))
    push_branch(str(cache), url, BRANCH, ("x-access-token", TOKEN))
    return done


def test_a_push_refused_by_the_hook_then_accepted_leaves_one_commit_for_the_run(tmp_path, server):
    url, remote = server.url("backup.git"), Path(server.root) / "backup.git"
    cache, backups = tmp_path / "cache.git", make_backups(tmp_path / "backups")
    first = publish(cache, backups, url, "day-0")
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'refused by policy' >&2\nexit 1\n")
    hook.chmod(0o755)
    (backups / "official" / "added.md").write_text("added\n")
    with pytest.raises(PublishError, match="rejected"):
        publish(cache, backups, url, "day-1")
    hook.unlink()
    (backups / "manifests" / "failures.json").write_text("[]\n")   # the failed attempt changed the tree
    again = publish(cache, backups, url, "day-1")
    assert again["changed"] and again["parent"] == first["commit"]
    assert [subject for _, _, subject in log(remote)] == ["Snapshot day-1: test", "Snapshot day-0: test"]
    assert log(remote)[0][1] == [first["commit"]]
    git("--git-dir", str(remote), "fsck", "--strict")


def test_an_unpushed_snapshot_of_another_run_is_kept_and_one_of_the_same_run_with_the_same_tree_is_reused(tmp_path):
    remote, cache, backups = tmp_path / "remote.git", tmp_path / "cache.git", make_backups(tmp_path / "backups")
    git("init", "-q", "--bare", str(remote))
    first = snapshot_directory(str(cache), str(backups), BRANCH, "Snapshot day-0: test\n", replace=("day-0", None))
    (backups / "official" / "added.md").write_text("added\n")
    second = snapshot_directory(str(cache), str(backups), BRANCH, "Snapshot day-1: test\n", replace=("day-1", None))
    assert second["parent"] == first["commit"]                  # day-0 never reached the remote: kept below
    same = snapshot_directory(str(cache), str(backups), BRANCH, "Snapshot day-1: test\n", replace=("day-1", None))
    assert not same["changed"] and same["commit"] == second["commit"]
    push_branch(str(cache), str(remote), BRANCH)
    assert [subject for _, _, subject in log(remote)] == ["Snapshot day-1: test", "Snapshot day-0: test"]
