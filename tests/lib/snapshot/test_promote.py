"""Promotion: atomic swap, snapshot manifest, repair after a crash at any step, staging retention."""
import json
import os
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.core.fsutil import read_json, tree_manifest
from lib.core.layout import Layout
from lib.snapshot.promote import promote_tree, prune_staging, repair
from tests.lib.crash import run_killed, run_to_end
from tests.lib.trees import files_of, write_tree

OLD = {"Home 0123456789abcdef0123456789abcdef.md": b"# old home", "Home/gone.md": b"gone", "keep.md": b"same"}
NEW = {"Home 0123456789abcdef0123456789abcdef.md": b"# new home", "Home/added.png": b"\x89PNG", "keep.md": b"same"}


def at(backups, run_id="r1"):
    """The layout of run `run_id` in `backups`."""
    return Layout(root=backups.parent, backups=backups, run_id=run_id)


def without_time(snapshot):
    """Drop the promotion time, the one field two equal promotions may differ in."""
    return {k: v for k, v in (snapshot or {}).items() if k != "promoted_at"}


@pytest.fixture
def backups(tmp_path):
    """backups/ with OLD promoted and NEW staged as a run tree."""
    root = tmp_path / "backups"
    write_tree(root / ".staging" / "r1" / "tree", OLD)
    write_tree(root / ".staging" / "r2" / "tree", NEW)
    promote_tree(at(root, "r1"), {"run_id": "r1"})
    return root


def test_promote_swaps_tree_and_writes_snapshot(backups):
    summary = promote_tree(at(backups, "r2"), {"run_id": "r2", "counts": {"md": 1}})
    assert files_of(backups / "official") == NEW
    snap = read_json(backups / "manifests" / "snapshot.json")
    assert snap["run_id"] == "r2" and snap["counts"] == {"md": 1} and "promoted_at" in snap
    assert snap["files"] == tree_manifest(backups / "official")["files"]
    assert {f["path"] for f in snap["files"]} == set(NEW) and snap["count"] == 3
    assert summary["count"] == 3 and summary["bytes"] == sum(map(len, NEW.values()))
    assert sorted(os.listdir(backups)) == [".staging", "manifests", "official"]
    # The staging tree stays intact for a re-run.
    assert files_of(backups / ".staging/r2/tree") == NEW


def test_first_promote_creates_official(tmp_path):
    write_tree(tmp_path / "b" / ".staging" / "x" / "tree", NEW)
    promote_tree(at(tmp_path / "b", "x"), {"run_id": "x"})
    assert files_of(tmp_path / "b" / "official") == NEW
    snap = read_json(tmp_path / "b" / "manifests" / "snapshot.json")
    assert snap["run_id"] == "x"
    assert snap["counts"]["md"] == 2 and snap["counts"]["attachments"] == 1  # counted when not given


def test_repair_drops_half_built_tree_without_journal(backups):
    write_tree(backups / "official.new", {"half.md": b"half"})
    repair(at(backups))
    assert not (backups / "official.new").exists()
    assert files_of(backups / "official") == OLD


def test_repair_restores_official_left_aside(backups):
    os.rename(backups / "official", backups / "official.old")
    repair(at(backups))
    assert files_of(backups / "official") == OLD and not (backups / "official.old").exists()


def _script(backups):
    return ("from pathlib import Path\nfrom lib.core.layout import Layout\nfrom lib.snapshot.promote import promote_tree\n"
            f"backups = Path({str(backups)!r})\n"
            "promote_tree(Layout(root=backups.parent, backups=backups, run_id='r2'), {'run_id': 'r2'})\n")


def _check_whole(backups):
    """After repair, official is OLD or NEW whole and snapshot.json describes exactly what is there."""
    repair(at(backups))
    got = files_of(backups / "official")
    assert got in (OLD, NEW)
    snap = read_json(backups / "manifests" / "snapshot.json")
    assert snap["files"] == tree_manifest(backups / "official")["files"]
    assert sorted(os.listdir(backups)) == [".staging", "manifests", "official"]
    return got


def test_kill_at_every_step_then_rerun_matches_uninterrupted(backups, tmp_path):
    reference = tmp_path / "reference"
    write_tree(reference / ".staging/r1/tree", OLD)
    write_tree(reference / ".staging/r2/tree", NEW)
    promote_tree(at(reference, "r1"), {"run_id": "r1"})
    steps = run_to_end(_script(reference))
    expected = without_time(read_json(reference / "manifests" / "snapshot.json"))
    seen = set()
    for step in range(1, steps + 1):
        # Each step starts from the promoted OLD snapshot again.
        if (backups / "official").exists() and files_of(backups / "official") == NEW:
            promote_tree(at(backups, "r1"), {"run_id": "r1"})
        assert run_killed(_script(backups), kill_at_step=step) == -9
        seen.add(json.dumps(sorted(_check_whole(backups))))
        run_to_end(_script(backups))
        assert files_of(backups / "official") == NEW
        assert without_time(read_json(backups / "manifests" / "snapshot.json")) == expected
    assert len(seen) == 2  # some kills rolled back to OLD, others forward to NEW


@pytest.mark.parametrize("seed", range(8))
def test_kill_at_a_random_instant_then_rerun_matches_uninterrupted(tmp_path, seed):
    big = {f"Pages/p{i:04d} {i:032x}.md": os.urandom(64) * 16 for i in range(600)}
    root = tmp_path / "backups"
    write_tree(root / ".staging/r1/tree", OLD)
    write_tree(root / ".staging/r2/tree", big)
    promote_tree(at(root, "r1"), {"run_id": "r1"})
    run_killed(_script(root), seed=seed, window=0.1)
    repair(at(root))
    assert files_of(root / "official") in (OLD, big)
    assert read_json(root / "manifests/snapshot.json")["files"] == tree_manifest(root / "official")["files"]
    run_to_end(_script(root))
    assert files_of(root / "official") == big
    snap = read_json(root / "manifests/snapshot.json")
    assert snap["run_id"] == "r2" and snap["files"] == tree_manifest(root / ".staging/r2/tree")["files"]


def test_prune_staging_keeps_current_last_good_and_recent(tmp_path):
    staging = tmp_path / ".staging"
    now = time.time()
    for name, age_days in {"2025-01-01": 90, "2025-01-02": 89, "2025-03-01": 31, "2025-03-20": 12,
                           "old-download.zip": 40, "recent.zip": 1}.items():
        path = staging / name
        if name.endswith(".zip"):
            staging.mkdir(exist_ok=True)
            path.write_bytes(b"PK")
        else:
            write_tree(path, {"export.zip": b"PK", "tree/a.md": b"a"})
            os.utime(path / "export.zip", (now - age_days * 86400,) * 2)
            os.utime(path / "tree", (now - age_days * 86400,) * 2)
        os.utime(path, (now - age_days * 86400,) * 2)
    removed = prune_staging(staging, 30, current_run="2025-01-02", last_good_run="2025-01-01", now=now)
    assert removed == ["2025-03-01", "old-download.zip"]
    assert sorted(os.listdir(staging)) == ["2025-01-01", "2025-01-02", "2025-03-20", "recent.zip"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(0, 5000), min_size=1, max_size=7), st.integers(0, 12000), st.booleans())
def test_kept_zips_stay_within_the_budget_newest_first(tmp_path_factory, sizes, budget, loose):
    staging = tmp_path_factory.mktemp("b") / ".staging"
    now = time.time()
    runs = [f"2025-01-{day:02d}" for day in range(1, len(sizes) + 1)]   # the last is the current run
    for age, (run, size) in enumerate(zip(reversed(runs), reversed(sizes))):
        path = staging / (f"{run}.zip" if loose and run != runs[-1] else f"{run}/export.zip")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"P" * size)
        write_tree(staging / run, {"counts.json": b"{}"})
        for touched in (path, staging / run):
            os.utime(touched, (now - age * 3600,) * 2)
    prune_staging(staging, 30, current_run=runs[-1], last_good_run=runs[-1], now=now, keep_bytes=budget)
    kept = [run for run in runs[:-1] if (staging / f"{run}.zip").exists() or (staging / run / "export.zip").exists()]
    # Newest first, the earlier ZIPs are kept while their total fits; the current run's is never touched.
    expected, total = [], 0
    for run, size in zip(reversed(runs[:-1]), reversed(sizes[:-1])):
        total += size
        if total > budget:
            break
        expected.append(run)
    assert sorted(kept) == sorted(expected)
    assert (staging / runs[-1] / "export.zip").stat().st_size == sizes[-1]
    assert all((staging / run / "counts.json").exists() for run in runs)   # the manifests stay: days decide those


def test_a_new_run_drops_the_last_good_runs_zip_over_the_budget_and_keeps_its_folder(tmp_path):
    staging = tmp_path / ".staging"
    write_tree(staging, {"day-1/export.zip": b"P" * 100, "day-1/counts.json": b"{}", "day-2/export.zip": b"P" * 50})
    removed = prune_staging(staging, 30, current_run="day-2", last_good_run="day-1", keep_bytes=99)
    assert removed == ["day-1/export.zip"]
    assert files_of(staging) == {"day-1/counts.json": b"{}", "day-2/export.zip": b"P" * 50}


@pytest.mark.parametrize("budget", ["none", "one byte short", "exact"])
def test_a_promoted_runs_zip_over_the_budget_is_spent_its_name_size_and_time_kept(tmp_path, budget):
    from lib.archive import open_zip
    from lib.core.errors import ExportError
    staging = tmp_path / ".staging"
    data = b"PK\x03\x04" + os.urandom(96 * 1024)
    write_tree(staging, {"day-1/export.zip": data})
    zip_path = staging / "day-1/export.zip"
    os.utime(zip_path, ns=(1_700_000_000_123_456_789,) * 2)
    before = os.stat(zip_path)
    keep = {"none": 0, "one byte short": len(data) - 1, "exact": len(data)}[budget]
    removed = prune_staging(staging, 30, current_run="day-1", last_good_run="day-1", keep_bytes=keep,
                            spend_current=True)
    after = os.stat(zip_path)
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)   # doit sees it unchanged
    if budget != "exact":
        assert removed == ["day-1/export.zip (data)"] and after.st_blocks == 0
        with pytest.raises(ExportError, match="spent once its run was promoted"):
            open_zip(zip_path)
    else:
        assert removed == [] and zip_path.read_bytes() == data


def test_prune_staging_without_staging_dir(tmp_path):
    assert prune_staging(tmp_path / "missing", 30, "a", "b") == []


def test_promote_without_a_tree_keeps_the_snapshot(backups):
    from lib.core.errors import ExportError
    with pytest.raises(ExportError, match="no tree to promote"):
        promote_tree(at(backups, "r3"), {"run_id": "r3"})
    assert files_of(backups / "official") == OLD


def test_repair_finds_the_new_tree_wherever_a_swap_left_it(backups):
    # Reach a real journaled state with a kill (new tree swapped in, previous one at official.new), then move
    # the new tree aside as a two-rename swap on a system without atomic exchange would have it mid-way.
    for step in range(1, 200):
        run_killed(_script(backups), kill_at_step=step)
        if (backups / ".promote-journal.json").exists():
            break
        repair(at(backups))
    else:
        pytest.fail("never reached the journaled state")
    os.rename(backups / "official", backups / "official.old")
    repair(at(backups))
    assert files_of(backups / "official") == NEW
    assert read_json(backups / "manifests/snapshot.json")["run_id"] == "r2"
    assert sorted(os.listdir(backups)) == [".staging", "manifests", "official"]
