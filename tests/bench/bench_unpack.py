"""Benchmark: extract_zip + expand_export vs the unzip binary on a generated Notion-shaped export."""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ROOT = "Export-3f0c2a1e-9b7d-4c55-8e21-6a4f0d9b1c77"
PART_BYTES = 500 << 20  # Notion starts a new part at roughly this size
WORDS = ("notion backup page task project meeting notes status done owner review draft idea roadmap "
         "the a of to and in for with on is").split()


def _markdown(rng, i, size):
    """A page: title, property lines, paragraphs and a table, about size bytes."""
    lines = [f"# Page {i}", "", f"Status: {rng.choice(['Done', 'Open'])}", f"Owner: person {i % 97}", ""]
    while sum(map(len, lines)) < size:
        lines.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 30))))
        if rng.random() < 0.2:
            lines += ["| a | b |", "| --- | --- |", f"| {i} | {rng.random():.5f} |"]
    return "\n".join(lines).encode()


def _entries(n_files, total_bytes, seed=7):
    """Yield (name, bytes or size-of-random) for a Notion-shaped tree: 90% pages, 10% attachments."""
    rng = random.Random(seed)
    n_attach = max(1, n_files // 10)
    n_pages = n_files - n_attach
    page_size = 4000
    attach_size = max(1, (total_bytes - n_pages * page_size) // n_attach)
    for i in range(n_files):
        folder = f"Area {i % 40} {i % 40:032x}/Sub {i % 400} {i % 400:032x}"
        if i % 10 == 9:
            size = int(attach_size * rng.uniform(0.5, 1.5))
            yield f"{folder}/attachment-{i}.{rng.choice(['png', 'pdf', 'jpg'])}", size
        elif i % 50 == 0:
            yield f"{folder}/Table {i:032x}_all.csv", _markdown(rng, i, page_size).replace(b" ", b",")
        else:
            yield f"{folder}/Page {i} {i:032x}.md", _markdown(rng, i, page_size)


def generate(out, n_files, total_bytes):
    """Write the wrapper ZIP holding Part-N shards, streaming; return (files, bytes)."""
    work = Path(tempfile.mkdtemp(dir=out.parent))
    parts, count, size_total = [], 0, 0
    current, current_bytes = None, 0
    for name, body in _entries(n_files, total_bytes):
        if current is None or current_bytes > PART_BYTES:
            if current:
                current.close()
            parts.append(work / f"{ROOT}-Part-{len(parts) + 1}.zip")
            current, current_bytes = zipfile.ZipFile(parts[-1], "w", zipfile.ZIP_DEFLATED, compresslevel=1), 0
        with current.open(zipfile.ZipInfo(f"{ROOT}/{name}", (2025, 11, 18, 10, 30, 0)), "w", force_zip64=True) as dst:
            if isinstance(body, int):
                left = body
                while left:
                    block = os.urandom(min(left, 1 << 20))
                    dst.write(block)
                    left -= len(block)
                size = body
            else:
                dst.write(body)
                size = len(body)
        count, current_bytes, size_total = count + 1, current_bytes + size, size_total + size
    current.close()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as wrapper:
        for part in parts:
            wrapper.write(part, part.name)
    shutil.rmtree(work)
    return count, size_total


def timed(cmd):
    """Run a command; return (wall seconds, peak RSS in MB of that child)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)))
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status:
        raise SystemExit(f"{cmd[0]} failed with status {status}")
    return wall, usage.ru_maxrss / 1024


def run_unzip(export, out):
    """The reference: unzip the wrapper, then every shard into one folder."""
    script = (f"set -e; unzip -qq -o {export} -d {out}/unpacked; "
              f"for p in {out}/unpacked/*-Part-*.zip; do unzip -qq -o \"$p\" -d {out}/tree; done")
    return timed(["sh", "-c", script])


def run_ours(export, out):
    """Our side, in a child process so its peak memory is its own."""
    script = ("from lib.archive.shards import expand_export\n"   # the parts are read inside the download
              f"expand_export({str(export)!r}, {str(out / 'tree')!r})\n")
    return timed([sys.executable, "-c", script])


def count_files(root):
    """Return (files, bytes) under root."""
    files = size = 0
    for dirpath, _, names in os.walk(root):
        files += len(names)
        size += sum(os.lstat(os.path.join(dirpath, n)).st_size for n in names)
    return files, size


def main():
    """Generate (or reuse) the export, time both sides twice, print one JSON object."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", action="store_true", help="2,000 files / 100 MB instead of 20,000 / 1 GB")
    parser.add_argument("--dir", default=os.path.join(tempfile.gettempdir(), "bench_unpack"))
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    n_files, total = (2000, 100 << 20) if args.small else (20000, 1 << 30)
    base = Path(args.dir)
    base.mkdir(parents=True, exist_ok=True)
    export = base / f"export-{n_files}.zip"
    if not export.exists():
        tmp = export.with_suffix(".tmp")
        generate(tmp, n_files, total)
        os.replace(tmp, export)
    ours_t, ref_t, peak = [], [], 0.0
    sides = [("unzip", run_unzip, ref_t), ("ours", run_ours, ours_t)]
    for round_no in range(args.rounds):
        # Alternate who goes first, and flush dirty pages before each side, so neither pays the other's write-back.
        for side, runner, times in (sides if round_no % 2 == 0 else sides[::-1]):
            out = base / side
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir()
            os.sync()
            wall, rss = runner(export, out)
            times.append(wall)
            if side == "ours":
                peak = max(peak, rss)
    ours_files, ours_bytes = count_files(base / "ours" / "tree")
    ref_files, ref_bytes = count_files(base / "unzip" / "tree")
    for side in ("ours", "unzip"):
        shutil.rmtree(base / side, ignore_errors=True)
    result = {
        "benchmark": "unpack+shard_expand", "files": ours_files, "bytes": ours_bytes,
        "same_output_as_unzip": (ours_files, ours_bytes) == (ref_files, ref_bytes),
        "ours_seconds": round(min(ours_t), 2), "unzip_seconds": round(min(ref_t), 2),
        "ratio": round(min(ours_t) / min(ref_t), 3), "ours_peak_rss_mb": round(peak, 1),
        "all_ours_seconds": [round(t, 2) for t in ours_t], "all_unzip_seconds": [round(t, 2) for t in ref_t],
        "target": {"ratio_max": 1.2, "peak_rss_mb_max": 150},
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
