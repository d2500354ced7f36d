"""Download throughput and peak memory of lib.notion.file_download vs curl, on FakeNotion exports.

Run: /work/venv/bin/python -m tests.bench.bench_download [--small]
Full: 100 MB and 1 GB exports (peak RSS must not grow with size); --small: 20 MB and 100 MB.
Our side runs in a child process (its own peak RSS from wait4); curl fetches the same URL with the cookie.
"""
import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.fakes.exports import FakeWorkspace, write_export
from tests.fakes.notion_internal import FakeNotion

REPO = Path(__file__).resolve().parents[2]
OURS = """
import json, sys, time
from lib.notion.http import NotionHTTP
from lib.http.retry import RetryPolicy
from lib.notion.file_download import download
file_token, file_host, url, dest = sys.argv[1:5]
http = NotionHTTP("v02%3Aunused", file_token, "", [], [file_host], timeout=60, policy=RetryPolicy(retries=2))
started = time.monotonic()
facts = download(http, url, dest)
print(json.dumps({"seconds": time.monotonic() - started, "bytes": facts["bytes"]}))
"""


def _hwm_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _run(argv):
    """Run a child; return (stdout, wall seconds, peak RSS in MB of the child's own image).

    getrusage(RUSAGE_CHILDREN) would report the parent's size too (a vfork child inherits the parent's
    high-water mark until exec), so sample /proc/<pid>/status VmHWM and keep the last value before exit.
    """
    started = time.monotonic()
    proc = subprocess.Popen(argv, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = None
    while proc.poll() is None:
        peak = _hwm_mb(proc.pid) or peak
        time.sleep(0.01)
    seconds = time.monotonic() - started
    out, err = proc.communicate()
    if proc.returncode:
        raise SystemExit(f"{argv[0]} failed: {err.decode()[-500:]}")
    return out, seconds, peak or 0.0


def _export(fake, workdir, megabytes):
    """Build a ~`megabytes` MB export (mostly 1 MB attachments) and return its download link."""
    attachments = max(1, megabytes - megabytes // 50)
    workspace = FakeWorkspace(seed=megabytes, pages=max(100, megabytes * 19), databases=20,
                              attachments=attachments, attachment_bytes=1 << 20)
    file_id, export_uuid = fake.new_id(), fake.new_id()
    path = workdir / f"{file_id}.zip"
    write_export(workspace, path, export_uuid, compresslevel=0)  # stored-in-deflate: fast to build, size is what counts
    fake.exports[file_id] = {"path": path, "uuid": export_uuid, "task": None}
    return fake.link_for(file_id, export_uuid), path.stat().st_size


def measure(fake, workdir, megabytes, repeats):
    """Best-of-`repeats` timings for ours and curl on one export size."""
    link, size = _export(fake, workdir, megabytes)
    ours, curl = [], []
    for _ in range(repeats):
        for name, argv, sink in (  # noqa: B007
            ("ours", [sys.executable, "-c", OURS, fake.file_token, fake.file_host, link, str(workdir / "ours.zip")], ours),
            ("curl", ["curl", "-sSf", "-o", str(workdir / "curl.zip"), "--cookie", f"file_token={fake.file_token}", link],
             curl),
        ):
            out, seconds, rss = _run(argv)
            got = (workdir / f"{name}.zip").stat().st_size
            assert got == size, f"{name} downloaded {got} of {size} bytes"
            inner = json.loads(out)["seconds"] if name == "ours" else seconds
            sink.append((seconds, rss, inner))
            (workdir / f"{name}.zip").unlink()
    (ours_s, _, ours_inner), (curl_s, _, _) = min(ours), min(curl)
    for path in workdir.glob("*.zip"):
        path.unlink()
    return {"bytes": size, "ours_seconds": round(ours_s, 3), "ours_mb_per_s": round(size / 1e6 / ours_s, 1),
            "ours_download_call_seconds": round(ours_inner, 3),
            "ours_peak_rss_mb": round(max(r for _, r, _ in ours), 1), "curl_seconds": round(curl_s, 3),
            "curl_mb_per_s": round(size / 1e6 / curl_s, 1), "curl_peak_rss_mb": round(max(r for _, r, _ in curl), 1),
            "time_ratio_ours_over_curl": round(ours_s / curl_s, 2),
            "download_call_ratio_over_curl": round(ours_inner / curl_s, 2)}


def main(argv=None):
    """Print one JSON object with the figures for two export sizes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="20 MB and 100 MB instead of 100 MB and 1 GB")
    args = parser.parse_args(argv)
    sizes = (20, 100) if args.small else (100, 1024)
    workdir = Path(tempfile.mkdtemp(prefix="bench-download-"))
    results = {}
    try:
        with FakeNotion() as fake:
            for megabytes in sizes:
                results[f"{megabytes}MB"] = measure(fake, workdir, megabytes, repeats=2)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    small, large = (results[f"{m}MB"] for m in sizes)
    summary = {"benchmark": "download", "reference": "curl", "sizes": results,
               "peak_rss_growth_mb": round(large["ours_peak_rss_mb"] - small["ours_peak_rss_mb"], 1),
               "note": ("seconds are whole child wall time (python start-up and imports included); ours also "
                        "fsyncs the file before renaming it, curl does not")}
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
