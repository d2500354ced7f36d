"""`make bench`: run every benchmark in turn and collect their JSON results in bench-results/."""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

BENCHES = ("bench_unpack", "bench_git", "bench_history", "bench_render", "bench_page_history", "bench_download",
           "bench_api_capture", "bench_api_restore", "bench_large")
ROOT = Path(__file__).resolve().parent.parent.parent
# The renderer is timed in memory where a tmpfs exists: file-system inode reuse is noise, not rendering.
SHM = ["--dir", "/dev/shm"] if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else []
EXTRA = {"bench_render": SHM, "bench_page_history": SHM,
         # The large workspace: `make bench BENCH_LARGE=full` for the 50,000 pages and 5 GB (about an hour).
         "bench_large": ["--size", os.environ.get("BENCH_LARGE", "small")]}


def last_json(text):
    """Return the last JSON object printed (one line or pretty-printed), or None."""
    decoder = json.JSONDecoder()
    for start in reversed([i for i, ch in enumerate(text) if ch == "{" and (i == 0 or text[i - 1] == "\n")]):
        try:
            return decoder.raw_decode(text[start:])[0]
        except ValueError:
            continue
    return None


def main(argv):
    """Run the benchmarks named on the command line (default all); `--small` is passed through."""
    small = ["--small"] if "--small" in argv else []
    names = [a for a in argv if not a.startswith("-")] or list(BENCHES)
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    results, failed = {}, []
    for name in names:
        started = time.monotonic()
        print(f"== {name} {' '.join(small)}", flush=True)
        done = subprocess.run([sys.executable, "-m", f"tests.bench.{name}", *small, *EXTRA.get(name, [])], cwd=ROOT,
                              capture_output=True, text=True)
        sys.stderr.write(done.stderr[-2000:])
        (out / f"{name}.txt").write_text(done.stdout + done.stderr)
        result = last_json(done.stdout)
        if done.returncode != 0 or result is None:
            failed.append(name)
            print(f"   failed (exit {done.returncode})", flush=True)
            continue
        results[name] = result
        print(f"   {json.dumps(result)}\n   ({time.monotonic() - started:.0f} s)", flush=True)
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"results in {out / 'results.json'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
