"""Benchmark: the site's page history of a 10,000-page workspace with 30 snapshots, against today's full render
of the same workspace (the reference, timed in the same run); then the next day's render and a no-op one."""
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lib.core.fsutil import read_json, write_json_atomic
from lib.core.clock import now_iso
from lib.git.commit_snapshot import snapshot_directory
from tests.bench.bench_render import arguments, snapshot as write_snapshot
from tests.lib.site.site_fixtures import build_generated

BRANCH = "notion-backups"
ROOT = Path(__file__).resolve().parents[2]


def child(mode, work, workers):
    """Run one render in this (child) process and print its timing as JSON."""
    from lib.git.site_history import blob_reader, site_history
    from lib.site import build_site, history_cache
    backups = os.path.join(work, "backups")
    snapshot = read_json(os.path.join(backups, "manifests", "snapshot.json"))
    site = os.path.join(work, "site-plain" if mode.startswith("plain") else "site")
    if mode in ("plain", "history-fresh"):
        shutil.rmtree(site, ignore_errors=True)
    started = time.perf_counter()
    reading = 0.0
    if mode.startswith("plain"):
        manifest = build_site(os.path.join(backups, "official"), site, snapshot, None, workers)
    else:
        history = site_history(os.path.join(work, "repo.git"), BRANCH, 90, history_cache(site),
                               {"snapshot": snapshot, "official": os.path.join(backups, "official")})
        reading = time.perf_counter() - started
        with blob_reader(os.path.join(work, "repo.git")) as read:
            manifest = build_site(os.path.join(backups, "official"), site, snapshot, None, workers, history, read)
    facts = manifest.get("history") or {}
    print(json.dumps({"mode": mode, "seconds": time.perf_counter() - started, "pages": manifest["pages"],
                      "rendered": manifest["pages_rendered"], "history": facts,
                      "history_seconds": reading + facts.get("seconds", 0), "reading_seconds": reading}))


def run_child(mode, work, workers):
    """Run `child` in a subprocess (a fresh interpreter, as doit runs the render); return its result."""
    out = subprocess.run([sys.executable, "-m", "tests.bench.bench_page_history", "--child", mode, work,
                          "--workers", str(workers)], check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def one_day(official, rng, day):
    """A day of edits: 1% of the pages get a paragraph, two pages go, two come, a database gains a row."""
    pages = sorted(Path(official).rglob("*.md"))
    for path in rng.sample(pages, max(1, len(pages) // 100)):
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(f"\nEdited on day {day}: {rng.random():.6f} and some words to show in the diff.\n")
    for path in rng.sample([p for p in pages if p.name.startswith("Note ")], 2):
        path.unlink()
    for n in range(2):
        folder = rng.choice([p.parent for p in pages])
        (folder / f"New {day}-{n} {rng.getrandbits(128):032x}.md").write_text(f"# New {day}-{n}\n\nA new page.\n")
    for csv in sorted(Path(official).glob("Tracker 0 *.csv")):
        with open(csv, "a", encoding="utf-8") as handle:
            handle.write(f"Item day {day},Open,added\n")


def promote_day(work, run_id):
    """Promote a day without publishing it (snapshot.json with the time promote gives it): the render stage
    then sees it as the newest version."""
    backups = os.path.join(work, "backups")
    write_snapshot(backups, run_id)
    snapshot = read_json(os.path.join(backups, "snapshot.json"))
    snapshot["time"] = now_iso()
    os.makedirs(os.path.join(backups, "manifests"), exist_ok=True)
    write_json_atomic(os.path.join(backups, "manifests", "snapshot.json"), snapshot)
    os.unlink(os.path.join(backups, "snapshot.json"))


def commit_day(work, run_id):
    """Promote and publish one day the way the stages do (snapshot.json, then a snapshot commit)."""
    promote_day(work, run_id)
    publish_day(work, run_id)


def publish_day(work, run_id):
    """Commit what backups/ holds as the branch's next snapshot."""
    snapshot_directory(os.path.join(work, "repo.git"), os.path.join(work, "backups"), BRANCH,
                       f"Snapshot {run_id}: bench\n")


def main():
    """Parse arguments and run the benchmark (or one child render)."""
    args = arguments("1,000 pages and 10 snapshots instead of 10,000 and 30")
    if args.child:
        child(args.child[0], args.child[1], args.workers)
        return
    pages, days = (1000, 10) if args.small else (10000, 30)
    rng = random.Random(17)
    with tempfile.TemporaryDirectory(prefix="bench-history-", dir=args.dir) as work:
        official = os.path.join(work, "backups", "official")
        build_generated(official, pages=pages)
        setup = time.perf_counter()
        for day in range(1, days):
            commit_day(work, f"day-{day}")
            one_day(official, rng, day)
        promote_day(work, f"day-{days}")      # day 30 promoted, not yet published: as the render stage sees it
        setup = time.perf_counter() - setup
        # Both twice, in a fresh folder each time, alternating (the machine is shared): the better of each.
        runs = [run_child(mode, work, args.workers) for mode in ("plain", "history-fresh") * 2]
        plain = min(runs[0::2], key=lambda r: r["seconds"])
        full = min(runs[1::2], key=lambda r: r["seconds"])
        publish_day(work, f"day-{days}")
        noop_after_publish = run_child("history", work, args.workers)
        one_day(official, rng, days)
        promote_day(work, f"day-{days + 1}")
        incremental = run_child("history", work, args.workers)
        incremental_plain = run_child("plain-next", work, args.workers)
        noop = run_child("history", work, args.workers)
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    history_seconds = full["history_seconds"]
    print(json.dumps({
        "pages": plain["pages"], "snapshots": days, "workers": args.workers, "setup_seconds": round(setup, 1),
        "full_render_seconds": round(plain["seconds"], 2),
        "full_render_with_history_seconds": round(full["seconds"], 2),
        "history_seconds": round(history_seconds, 2), "history_git_reading_seconds": round(full["reading_seconds"], 2),
        "ratio_history_to_full_render": round(history_seconds / plain["seconds"], 2),
        "ratio_with_history_to_without": round(full["seconds"] / plain["seconds"], 2),
        "history": full["history"],
        "after_publish_seconds": round(noop_after_publish["seconds"], 3),
        "after_publish_history_rendered": noop_after_publish["history"]["rendered"],
        "incremental_seconds": round(incremental["seconds"], 3), "incremental_rendered": incremental["rendered"],
        "incremental_history_rendered": incremental["history"]["rendered"],
        "incremental_without_history_seconds": round(incremental_plain["seconds"], 3),
        "noop_seconds": round(noop["seconds"], 3), "noop_rendered": noop["rendered"],
        "peak_rss_mib": round(peak_kib / 1024, 1), "load_average": os.getloadavg()[0],
        "targets": {"ratio_history_to_full_render": 2.0, "noop_seconds": 1.0},
    }))


if __name__ == "__main__":
    main()
