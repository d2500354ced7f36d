"""Benchmark: site render throughput vs raw mistune, incremental and no-op rebuilds, peak memory."""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import mistune

from lib.core.fsutil import read_json, tree_manifest, write_json_atomic
from lib.site.render import PLUGINS
from tests.bench.view_bytes import files_bytes, search_files, view_bytes
from tests.lib.site.site_fixtures import WORDS, build_generated


def child(mode, work, workers):
    """Run one build in this (child) process and print its timing as JSON."""
    from lib.site.build import build_site
    snapshot = read_json(os.path.join(work, "snapshot.json"))
    started = time.perf_counter()
    manifest = build_site(os.path.join(work, "official"), os.path.join(work, "site"), snapshot, None, workers)
    # The build process's peak and its largest worker's, from the kernel (the stage limit applies to each).
    peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    print(json.dumps({"mode": mode, "seconds": time.perf_counter() - started,
                      "rendered": manifest["pages_rendered"], "pages": manifest["pages"],
                      "peak_rss_mib": round(peak / 1024, 1)}))


def run_child(mode, work, workers):
    """Run `child` in a subprocess; return its result plus the CPU seconds it and its workers used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([sys.executable, "-m", "tests.bench.bench_render", "--child", mode, work,
                          "--workers", str(workers)], check=True, capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[2])
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["system_cpu"] = after.ru_stime - before.ru_stime
    result["cpu"] = (after.ru_utime - before.ru_utime) + result["system_cpu"]
    return result


def raw_mistune(official):
    """Return (wall, CPU) pages/s of plain mistune (same plugins, one process) on the same files."""
    md = mistune.create_markdown(plugins=PLUGINS)
    paths = sorted(Path(official).rglob("*.md"))
    started, cpu = time.perf_counter(), time.process_time()
    for path in paths:
        md(path.read_text(encoding="utf-8"))
    return len(paths) / (time.perf_counter() - started), len(paths) / (time.process_time() - cpu)


def snapshot(work, run):
    """Write snapshot.json for the current official tree (the promote stage's job, not timed)."""
    manifest = tree_manifest(os.path.join(work, "official"))
    write_json_atomic(os.path.join(work, "snapshot.json"),
                      {"run_id": run, "time": run, "files": manifest["files"], "counts": {}})


def view_figures(site):
    """Return what one page view and one search load on the built `site` (KB), over a sample of its pages."""
    pages = sorted(str(p.relative_to(site)) for p in Path(site).rglob("*.html")
                   if p.relative_to(site).parts[0] != "_site")
    mean, most = view_bytes(site, pages[:: max(1, len(pages) // 300)])
    common = files_bytes(site, search_files(site, WORDS[0]))       # in every page: 50 results' page lists
    rare = files_bytes(site, search_files(site, "uniq%dx1" % (len(pages) // 2)))
    nav = sum(p.stat().st_size for p in [Path(site, "_site/nav.js"), *Path(site, "_site/nav").glob("*.js")])
    return {"pages": len(pages), "view_kb_mean": round(mean / 1024, 1), "view_kb_max": round(most / 1024, 1),
            "search_common_word_kb": round(common / 1024, 1), "search_rare_word_kb": round(rare / 1024, 1),
            "sidebar_data_total_kb": round(nav / 1024, 1)}


def views_at(pages, workers, scratch):
    """Build a generated site of `pages` pages; return `view_figures` of it and the peak memory (MiB) of its full
    build and of a no-op build."""
    with tempfile.TemporaryDirectory(prefix="bench-views-", dir=scratch) as work:
        build_generated(os.path.join(work, "official"), pages=pages)
        snapshot(work, "run-1")
        full = run_child("full", work, workers)
        noop = run_child("noop", work, workers)
        return view_figures(os.path.join(work, "site")), {"full": full["peak_rss_mib"], "noop": noop["peak_rss_mib"],
                                                          "noop_seconds": round(noop["seconds"], 3)}


def arguments(small):
    """Parse the arguments the render benchmarks share: --small (what it means: `small`), --dir, --workers,
    --child MODE WORK."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", action="store_true", help=small)
    parser.add_argument("--dir", default=None,
                        help="where to build (e.g. /dev/shm: the file system's inode reuse costs add noise)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--child", nargs=2, metavar=("MODE", "WORK"))
    return parser.parse_args()


def main():
    """Parse arguments and run the benchmark (or one child build)."""
    args = arguments("1,000 pages instead of 10,000")
    if args.child:
        child(args.child[0], args.child[1], args.workers)
        return
    pages = 1000 if args.small else 10000
    with tempfile.TemporaryDirectory(prefix="bench-render-", dir=args.dir) as work:
        build_generated(os.path.join(work, "official"), pages=pages)
        snapshot(work, "run-1")
        raw, raw_cpu = raw_mistune(os.path.join(work, "official"))
        full = run_child("full", work, args.workers)
        views = {pages: view_figures(os.path.join(work, "site"))}
        noop = run_child("noop", work, args.workers)
        mds = sorted(Path(work, "official").rglob("*.md"))
        for path in mds[:: max(1, len(mds) // max(1, len(mds) // 100))][: len(mds) // 100]:
            with open(path, "a", encoding="utf-8") as handle:
                handle.write("\nEdited paragraph for the incremental run.\n")
        snapshot(work, "run-2")
        incr = run_child("incremental", work, args.workers)
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # What a reader's browser loads, at the benchmark's size and five times it (50,000 pages in full).
    views[pages * 5], large_peaks = views_at(pages * 5, args.workers, args.dir)
    cores = min(args.workers, os.cpu_count() or 1)
    ours = full["pages"] / full["seconds"]
    print(json.dumps({
        "pages": full["pages"], "workers": args.workers, "cores": cores,
        "full_seconds": round(full["seconds"], 2), "full_pages_per_s": round(ours, 1),
        "raw_mistune_pages_per_s": round(raw, 1),
        "ratio_total": round(ours / raw, 2), "ratio_per_core": round(ours / cores / raw, 2),
        "full_cpu_seconds": round(full["cpu"], 2), "raw_mistune_pages_per_cpu_s": round(raw_cpu, 1),
        # Kernel time of the build (mostly creating one file per page): it shows when the file system,
        # not the renderer, is the cost (ext4 without a journal skips recently deleted inodes).
        "full_system_cpu_seconds": round(full["system_cpu"], 2),
        "ratio_per_cpu_second": round(full["pages"] / full["cpu"] / raw_cpu, 2),
        "load_average": os.getloadavg()[0],
        "incremental_seconds": round(incr["seconds"], 3), "incremental_rendered": incr["rendered"],
        "incremental_cpu_seconds_incl_startup": round(incr["cpu"], 3),
        "noop_seconds": round(noop["seconds"], 3), "noop_rendered": noop["rendered"],
        "noop_cpu_seconds_incl_startup": round(noop["cpu"], 3),
        "peak_rss_mib": round(peak_kib / 1024, 1),
        "peak_rss_mib_by_build": {str(pages): {"full": full["peak_rss_mib"], "noop": noop["peak_rss_mib"],
                                               "incremental": incr["peak_rss_mib"]}, str(pages * 5): large_peaks},
        "bytes_loaded": {str(n): figures for n, figures in views.items()},
        "targets": {"ratio_per_core": 0.8, "incremental_seconds": 2.0, "noop_seconds": 1.0, "view_kb_max": 200,
                    "peak_rss_mib": 500},
    }))


if __name__ == "__main__":
    main()
