"""Benchmark: restore of a captured workspace into the stand-in, versus curl sending as many requests."""
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


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", action="store_true", help="20 extra pages instead of 300")
    args = parser.parse_args()
    pages = 20 if args.small else 300
    work = Path(tempfile.mkdtemp(prefix="bench-restore-"))
    try:
        with FakeNotionPublic(extra_pages=pages, big_page=True) as fake:
            capture_workspace(api_settings(fake, NOTION_CAPTURE_COMMENTS="pages"), work / "json")
            fake.reset_requests()
            payload = json.dumps([api_env(fake), str(work / "json"), fake.empty_page_id, str(work / "journal")])
            started = time.perf_counter()
            out = subprocess.run([sys.executable, "-c", CHILD, payload], cwd=ROOT, check=True,
                                 capture_output=True, text=True)
            ours = time.perf_counter() - started
            peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            report = json.loads(out.stdout.strip().splitlines()[-1])
            # The reference: as many small authenticated GETs through one keep-alive curl process.
            reference = run_curl(fake, [("GET", "/v1/users/me")] * report["requests"])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    created = report["created"]
    print(json.dumps({"benchmark": "api_restore", "extra_pages": pages, "created": created,
                      "requests": report["requests"],
                      "blocks_per_request": round(created["blocks"] / max(1, report["requests"]), 2),
                      "ours_seconds": round(ours, 3), "curl_same_count_seconds": round(reference, 3),
                      "ratio": round(ours / reference, 2), "peak_rss_mb": round(peak_kb / 1024, 1)}))


if __name__ == "__main__":
    main()
