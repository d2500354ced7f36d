"""The history the site is handed: the window of snapshots, the promoted snapshot's changes read from disk, and
a shallow clone that goes on through what an earlier render recorded, or says where it stops."""
import json

import pytest

from lib.git.site_history import site_history
from tests.fakes.exports import FakeWorkspace
from tests.lib.git.gitutil import git
from tests.lib.git.history_fixtures import BRANCH, commit_backups, epoch, promote, snapshot_days, write_export

WORKSPACE = dict(seed=3, pages=120, databases=4)
DAYS = [(0, "day-1", "2026-11-18"), (1, "day-2", "2026-11-19"), (2, "day-3", "2026-11-20"), (3, "day-4", "2026-11-21")]
NOW = epoch("2026-11-22")


@pytest.fixture(scope="module")
def branch(tmp_path_factory):
    base = tmp_path_factory.mktemp("site-history")
    commits = snapshot_days(base / "repo.git", base / "backups", DAYS, **WORKSPACE)
    return base, commits


def strip(history):
    return {k: v for k, v in history.items() if k != "cache"}


def test_the_window_holds_the_snapshots_and_what_each_changed(branch):
    base, commits = branch
    full = site_history(base / "repo.git", BRANCH, 90, None, None, now=NOW)
    assert [s["commit"] for s in full["snapshots"]] == commits and full["first"] and not full["cut"]
    assert {e["snap"] for e in full["events"]} == {1, 2, 3}
    assert sorted(full["cache"]["commits"]) == sorted(commits)
    again = site_history(base / "repo.git", BRANCH, 90, full["cache"], None, now=NOW)
    assert strip(again) == strip(full)
    short = site_history(base / "repo.git", BRANCH, 2, None, None, now=NOW)
    assert [s["run_id"] for s in short["snapshots"]] == ["day-2", "day-3", "day-4"]   # day-2: where the window starts
    assert not short["first"] and {e["snap"] for e in short["events"]} == {1, 2}


def test_a_shallow_clone_says_where_it_stops_or_goes_on_through_recorded_history(branch, tmp_path):
    base, commits = branch
    full = site_history(base / "repo.git", BRANCH, 90, None, None, now=NOW)
    clone = tmp_path / "shallow.git"
    git("clone", "-q", "--bare", "--depth", "2", "--branch", BRANCH, f"file://{base / 'repo.git'}", str(clone))
    alone = site_history(clone, BRANCH, 90, None, None, now=NOW)
    assert alone["cut"] and [s["commit"] for s in alone["snapshots"]] == commits[2:]
    assert "--deep" in alone["deeper"]
    recorded = site_history(clone, BRANCH, 90, json.loads(json.dumps(full["cache"])), None, now=NOW)
    assert strip(recorded) == strip(full)


def test_the_promoted_snapshot_is_compared_with_the_tip_from_disk(branch, tmp_path):
    base, commits = branch
    backups = tmp_path / "backups"
    write_export(FakeWorkspace(day=3, **WORKSPACE), backups / "official")
    same = promote(backups, "day-4", epoch("2026-11-21"))
    history = site_history(base / "repo.git", BRANCH, 90, None, {"snapshot": same, "official": str(backups / "official")},
                           now=NOW)
    assert len(history["snapshots"]) == 4                     # the tip is this snapshot already
    write_export(FakeWorkspace(day=4, **WORKSPACE), backups / "official")
    new = promote(backups, "day-5", epoch("2026-11-22"))
    history = site_history(base / "repo.git", BRANCH, 90, None, {"snapshot": new, "official": str(backups / "official")},
                           now=NOW)
    assert history["snapshots"][-1] == {"commit": None, "date": "2026-11-22T12:00:00+00:00", "run_id": "day-5"}
    pending = [e for e in history["events"] if e["snap"] == 4]
    assert {e["kind"] for e in pending} >= {"added", "changed", "removed"}
    for event in pending:
        if event["blob"]:
            path = backups / "official" / event["path"]
            assert event["blob"] == git("hash-object", str(path)).decode().strip()
        if event["old_blob"]:
            assert git("--git-dir", str(base / "repo.git"), "rev-parse",
                       f"{commits[-1]}:official/{event['old_path'] or event['path']}").decode().strip() == event["old_blob"]


def test_a_fresh_shallow_runner_keeps_the_history_its_last_render_recorded(tmp_path):
    """Day 4 promoted and rendered, then published; the next runner fetches only the tip (depth 1)."""
    repo, backups = tmp_path / "repo.git", tmp_path / "backups"
    commits = snapshot_days(repo, backups, DAYS[:3], **WORKSPACE)
    write_export(FakeWorkspace(day=3, **WORKSPACE), backups / "official")
    day4 = promote(backups, "day-4", epoch("2026-11-21"))
    rendered = site_history(repo, BRANCH, 90, None, {"snapshot": day4, "official": str(backups / "official")}, now=NOW)
    commits.append(commit_backups(repo, backups, "day-4", epoch("2026-11-21")))
    full = site_history(repo, BRANCH, 90, None, None, now=NOW)
    clone = tmp_path / "fresh.git"
    git("clone", "-q", "--bare", "--depth", "1", "--branch", BRANCH, f"file://{repo}", str(clone))
    cache = json.loads(json.dumps(rendered["cache"]))      # as .build-history.json brings it back
    fresh = site_history(clone, BRANCH, 90, cache, None, now=NOW)
    assert strip(fresh) == strip(full) and not fresh["cut"] and fresh["first"]
    assert site_history(clone, BRANCH, 90, None, None, now=NOW)["cut"]
