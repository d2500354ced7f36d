"""Benchmark: restore of a captured workspace into the stand-in, versus curl sending as many requests; the requests
with page bodies sent as Markdown (the default) against every body appended block by block."""
import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lib.public_api.capture import capture_workspace
from tests.bench.bench_api_capture import run_curl
from tests.fakes.notion_public import FakeNotionPublic, api_env, api_settings

ROOT = Path(__file__).resolve().parents[2]
CHILD = ("import json, sys; from lib.public_api.restore import restore_snapshot, DirSource; "
         "from tests.harness import config_for; env, src, root, j = json.loads(sys.argv[1]); "
         "r = restore_snapshot(config_for(env), DirSource(src), root, j); "
         "print(json.dumps({k: r[k] for k in ('created', 'requests')}))")


def restore(fake, journal, **env):
    """Restore the capture into the stand-in in a child process; return (report, seconds)."""
    fake.reset_requests()
    payload = json.dumps([api_env(fake, **env), str(journal.parent / "json"), fake.empty_page_id, str(journal)])
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD, payload], cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1]), time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", action="store_true", help="20 extra pages instead of 300")
    args = parser.parse_args()
    pages = 20 if args.small else 300
    work = Path(tempfile.mkdtemp(prefix="bench-restore-"))
    try:
        with FakeNotionPublic(extra_pages=pages, big_page=True) as fake:
            capture_workspace(api_settings(fake, NOTION_CAPTURE_COMMENTS="pages"), work / "json")
            # The reference count: every body appended block by block, as restores did before Markdown bodies.
            blocks_only, _ = restore(fake, work / "journal-blocks", NOTION_RESTORE_MARKDOWN_BODIES="false")
            report, ours = restore(fake, work / "journal")
            peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            # The reference: as many small authenticated GETs through one keep-alive curl process.
            reference = run_curl(fake, [("GET", "/v1/users/me", "2026-12-01")] * report["requests"])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    created = report["created"]
    print(json.dumps({"benchmark": "api_restore", "extra_pages": pages, "created": created,
                      "requests": report["requests"], "requests_blocks_only": blocks_only["requests"],
                      "requests_ratio": round(report["requests"] / blocks_only["requests"], 2),
                      "blocks_per_request": round(created["blocks"] / max(1, report["requests"]), 2),
                      "ours_seconds": round(ours, 3), "curl_same_count_seconds": round(reference, 3),
                      "ratio": round(ours / reference, 2), "peak_rss_mb": round(peak_kb / 1024, 1)}))


if __name__ == "__main__":
    main()
