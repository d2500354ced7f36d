"""Benchmark: the pull stage on a fresh runner against remotes holding 10 and 500 snapshots of one workspace.

Run: python -m tests.bench.bench_history [--small] [--repeat N]
Both remotes hold the same workspace (5,000 files, 1 % of them edited per snapshot), written by `git fast-import`
and repacked by `git gc` as a hosting service keeps them. Each measurement is a child process running the pull
stage (fetch + restore of official/, manifests/, site/) in an empty project: as a new CI runner does every
morning. Reported: median seconds per remote and transport (local path, smart HTTP through `git http-backend`),
the ratio 500/10 (target < 1.2: the time must not grow with the history), the objects fetched, the child's peak
memory (VmHWM), and for reference the same pull fetching the whole history (what it cost before the shallow fetch).
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.lib.git.gitutil import GitHTTPServer

ROOT = Path(__file__).resolve().parents[2]
BRANCH = "notion-backups"
WORDS = "notion page backup table link heading list item project meeting notes task owner status review".split()

PULL = """
import json, logging, os, sys, time
from lib.config import load_config
from lib.git import fetch_branch, open_backup_repo, push_credentials
from lib.core.layout import Layout
from tasks.pull import pull
logging.basicConfig(level=logging.WARNING)
project, remote, mode = sys.argv[1:4]
cfg = load_config(project, {"BACKUP_GIT_REMOTE": remote, "BACKUP_RUN_ID": "bench",
                            "BACKUP_PUSH_TOKEN": os.environ.get("BACKUP_PUSH_TOKEN", "")})
layout = Layout.for_config(cfg)
started = time.perf_counter()
if mode == "whole":   # the whole history first, as pull fetched it before shallow fetches
    fetch_branch(open_backup_repo(layout), remote, "notion-backups", push_credentials(cfg), deepen=0)
result = pull(cfg, layout)
elapsed = time.perf_counter() - started
peak = int([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])
print(json.dumps({"seconds": elapsed, "peak_mib": peak / 1024}))
"""


def page(rng, index, edit):
    """Return a page of ~4 KB; `edit` changes its text."""
    lines = [f"# Page {index} (edit {edit})", ""]
    while sum(map(len, lines)) < 4000:
        lines.append(" ".join(rng.choice(WORDS) for _ in range(12)) + ".")
    return ("\n".join(lines) + "\n").encode()


def blob(path, data):
    """One fast-import file modification with inline data."""
    return b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data)


def fast_import_stream(snapshots, files):
    """Yield the fast-import stream of `snapshots` commits of a workspace of `files` files (1 % edited each)."""
    for number in range(snapshots):
        message = f"Snapshot day-{number}".encode()
        out = [b"commit refs/heads/%s\n" % BRANCH.encode(),
               b"committer bench <bench@localhost> %d +0000\n" % (1_700_000_000 + number * 86400),
               b"data %d\n%s\n" % (len(message), message)]
        edited = range(files) if number == 0 else random.Random(number).sample(range(files), files // 100)
        for index in edited:
            rng = random.Random(index * 100_003 + number)
            folder = f"official/Space {index % 20}/Section {index % 7}"
            if index % 100 == 0:
                out.append(blob(f"{folder}/attachment {index}.bin", rng.randbytes(200_000)))
            else:
                out.append(blob(f"{folder}/Page {index} {index:032x}.md", page(rng, index, number)))
        manifest = json.dumps({"run_id": f"day-{number}", "files": []}).encode()
        out.append(blob("manifests/snapshot.json", manifest))
        yield b"".join(out) + b"\n"


def make_remote(path, snapshots, files):
    """Create a bare remote holding `snapshots` snapshots, repacked with deltas like a hosting service."""
    subprocess.run(["git", "init", "-q", "--bare", str(path)], check=True)
    importer = subprocess.Popen(["git", "--git-dir", str(path), "fast-import", "--quiet"], stdin=subprocess.PIPE)
    for chunk in fast_import_stream(snapshots, files):
        importer.stdin.write(chunk)
    importer.stdin.close()
    if importer.wait():
        raise SystemExit("git fast-import failed")
    subprocess.run(["git", "--git-dir", str(path), "gc", "-q", "--aggressive"], check=True)
    size = sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())
    return size


def run_child(work, remote, mode):
    """Run PULL in a new empty project; return its JSON plus the objects it ended up holding."""
    project = work / f"project-{time.monotonic_ns()}"
    project.mkdir()
    out = subprocess.run([sys.executable, "-c", PULL, str(project), remote, mode], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    result = json.loads(out.splitlines()[-1])
    count = subprocess.run(["git", "--git-dir", str(project / ".doit" / "backup.git"), "count-objects", "-v"],
                           check=True, capture_output=True, text=True).stdout
    fields = dict(line.split(": ") for line in count.splitlines())
    result["objects"] = int(fields["count"]) + int(fields["in-pack"])
    shutil.rmtree(project)
    return result


def median(values):
    """The middle value."""
    return sorted(values)[len(values) // 2]


def measure(work, remotes, mode, repeat):
    """Return {name: [results]} alternating which remote goes first each round."""
    results = {name: [] for name in remotes}
    for round_no in range(repeat):
        for name in (list(remotes) if round_no % 2 == 0 else list(remotes)[::-1]):
            results[name].append(run_child(work, remotes[name], mode))
    return results


def summary(results):
    """Median seconds, peak memory and objects per remote, and the ratio of the longest to the shortest."""
    out = {name: {"s": round(median([r["seconds"] for r in rows]), 3),
                  "samples": [round(r["seconds"], 3) for r in rows],
                  "peak_mib": round(max(r["peak_mib"] for r in rows), 1), "objects": rows[0]["objects"]}
           for name, rows in results.items()}
    names = list(out)
    out["ratio"] = round(out[names[-1]]["s"] / out[names[0]]["s"], 2)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="1,000 files, 10 and 100 snapshots")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    files, counts = (1000, (10, 100)) if args.small else (5000, (10, 500))
    work = Path(tempfile.mkdtemp(prefix="bench-history-"))
    try:
        srv = work / "srv"
        srv.mkdir()
        sizes = {f"{n}_snapshots": make_remote(srv / f"{n}.git", n, files) for n in counts}
        local = {f"{n}_snapshots": str(srv / f"{n}.git") for n in counts}
        report = {"files": files, "remote_bytes": sizes, "repeat": args.repeat, "target_ratio": 1.2,
                  "local_path": summary(measure(work, local, "pull", args.repeat))}
        with GitHTTPServer(srv, password="bench-token") as server:
            # Credentials come from the environment the product reads; the pull stage passes them as Basic auth.
            os.environ["BACKUP_PUSH_TOKEN"] = "bench-token"
            http = {f"{n}_snapshots": server.url(f"{n}.git") for n in counts}
            report["http"] = summary(measure(work, http, "pull", args.repeat))
            report["http_whole_history_reference"] = summary(measure(work, http, "whole", max(1, args.repeat // 2)))
        print(json.dumps(report, indent=2))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
