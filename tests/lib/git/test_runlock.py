"""The run lock: one backup run per checkout, and a dead run's leftovers cleared safely."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lib.core.errors import PublishError
from lib.git.commit_snapshot import snapshot_directory
from lib.git.runlock import run_lock
from tests.lib.git.gitutil import BRANCH, fsck, rev
from tests.lib.git.test_snapshot import make_backups

ROOT = Path(__file__).resolve().parents[3]
HOLD = """
import sys, time
from lib.git.runlock import run_lock
with run_lock(sys.argv[1]):
    print('locked', flush=True)
    time.sleep(60)
"""


def hold_lock(lock):
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(lock)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_second_run_is_refused_while_the_first_holds_the_lock(tmp_path):
    lock = tmp_path / "state" / "run.lock"
    holder = hold_lock(lock)
    try:
        with pytest.raises(PublishError) as caught:
            with run_lock(str(lock)):
                pass
        assert f"another backup run (pid {holder.pid}) holds the lock" in str(caught.value)
    finally:
        holder.kill()
        holder.wait()


def test_lock_of_a_killed_run_is_taken_over_and_its_ref_lock_cleared(tmp_path):
    backups, repo = make_backups(tmp_path / "backups"), tmp_path / "cache.git"
    first = snapshot_directory(str(repo), str(backups), BRANCH, "first")
    lock = tmp_path / "state" / "run.lock"
    holder = hold_lock(lock)
    # The dead run was in the middle of a ref update.
    ref_lock = repo / "refs" / "heads" / f"{BRANCH}.lock"
    ref_lock.write_text(first["commit"] + "\n")
    past = time.time() - 5
    os.utime(ref_lock, (past, past))
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    (backups / "official" / "later.md").write_text("later\n")
    with pytest.raises(PublishError, match="locked"):
        snapshot_directory(str(repo), str(backups), BRANCH, "blocked by the dead run's ref lock")
    with run_lock(str(lock), repo_path=str(repo), branch=BRANCH) as info:
        assert info["stale"]["pid"] == holder.pid
        assert info["cleared"] == [f"refs/heads/{BRANCH}.lock"]
        assert json.loads(lock.read_text())["pid"] == os.getpid()
        second = snapshot_directory(str(repo), str(backups), BRANCH, "second")
    assert rev(repo, BRANCH) == second["commit"] and second["parent"] == first["commit"]
    assert lock.read_text() == ""                            # a clean exit leaves no stale record
    fsck(repo)


def test_ref_locks_of_other_branches_are_left_alone(tmp_path):
    backups, repo = make_backups(tmp_path / "backups"), tmp_path / "cache.git"
    snapshot_directory(str(repo), str(backups), BRANCH, "first")
    other = repo / "refs" / "heads" / "main.lock"               # e.g. the user's own git on main
    other.write_text("in use\n")
    past = time.time() - 5
    os.utime(other, (past, past))
    with run_lock(str(tmp_path / "run.lock"), repo_path=str(repo)) as info:
        assert info["stale"] is None and info["cleared"] == []
    assert other.exists()
