"""`make bench`: run every benchmark in turn and collect their JSON results in bench-results/."""
import json
import subprocess
import sys
import time
from pathlib import Path

BENCHES = ("bench_unpack", "bench_git", "bench_render", "bench_download", "bench_api_capture", "bench_api_restore")
ROOT = Path(__file__).resolve().parent.parent.parent


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
        done = subprocess.run([sys.executable, "-m", f"tests.bench.{name}", *small], cwd=ROOT,
                              capture_output=True, text=True)
        sys.stderr.write(done.stderr[-2000:])
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        if done.returncode != 0 or not lines:
            failed.append(name)
            print(f"   failed (exit {done.returncode})", flush=True)
            continue
        results[name] = json.loads(lines[-1])
        print(f"   {lines[-1]}\n   ({time.monotonic() - started:.0f} s)", flush=True)
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"results in {out / 'results.json'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
