"""Benchmark: public-API capture (+ Markdown) against the stand-in, versus curl replaying the same requests; the
requests each captured object costs (what decides the time at Notion's 3 requests/s), with comments read per page
(the default) and per block."""
import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.fakes.notion_public import FakeNotionPublic, api_env

ROOT = Path(__file__).resolve().parents[2]
CHILD = ("import json, sys; from lib.public_api import capture_workspace; from tests.harness import config_for; "
         "env, j, m = json.loads(sys.argv[1]); print(json.dumps(capture_workspace(config_for(env), j, m)))")


def run_capture(fake, work, markdown=True, **env):
    """Capture in a child process; return (seconds, summary)."""
    args = json.dumps([api_env(fake, **env), str(work / "json"), str(work / "md") if markdown else None])
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD, args], cwd=ROOT, check=True, capture_output=True, text=True)
    return time.perf_counter() - started, json.loads(out.stdout.strip().splitlines()[-1])


def run_curl(fake, requests):
    """Replay the same requests with one curl process (keep-alive); return seconds."""
    cmd = ["curl", "-s", "--fail-with-body"]
    for i, (method, path, version) in enumerate(requests):
        if i:
            cmd.append("--next")
        cmd += ["-o", "/dev/null", "-H", f"Authorization: Bearer {fake.token}", "-H", f"Notion-Version: {version}"]
        if method == "POST":
            cmd += ["-H", "Content-Type: application/json", "-d", "{}"]
        cmd.append(fake.base_url + path)
    started = time.perf_counter()
    subprocess.run(cmd, check=True)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", action="store_true", help="50 extra pages instead of 1000")
    args = parser.parse_args()
    pages = 50 if args.small else 1000
    work = Path(tempfile.mkdtemp(prefix="bench-api-"))
    try:
        with FakeNotionPublic(extra_pages=pages) as fake:
            ours, summary = run_capture(fake, work)
            peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            replay = [(r["method"], r["url"], r["version"]) for r in fake.requests
                      if r["method"] in ("GET", "POST") and r["path"].startswith("/v1/")]
            fake.reset_requests()
            reference = run_curl(fake, replay)
            fake.reset_requests()
            incremental, second = run_capture(fake, work)
            per_object = {}
            for comments in ("pages", "blocks"):  # the JSON capture alone, first run, as the weekly job does it
                shutil.rmtree(work / "json", ignore_errors=True)
                _, alone = run_capture(fake, work, markdown=False, NOTION_CAPTURE_COMMENTS=comments)
                per_object[comments] = round(alone["requests"] / alone["objects"], 2)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({"benchmark": "api_capture", "extra_pages": pages, "objects": summary["objects"],
                      "requests": summary["requests"], "ours_seconds": round(ours, 3),
                      "curl_same_requests_seconds": round(reference, 3), "ratio": round(ours / reference, 2),
                      "incremental_seconds": round(incremental, 3), "incremental_requests": second["requests"],
                      "json_requests_per_object": per_object["pages"],
                      "json_requests_per_object_comments_per_block": per_object["blocks"],
                      "first_json_capture_minutes_per_1000_at_3_per_s": round(per_object["pages"] * 1000 / 3 / 60),
                      "peak_rss_mb": round(peak_kb / 1024, 1)}))


if __name__ == "__main__":
    main()
