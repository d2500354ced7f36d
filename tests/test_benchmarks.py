"""Every benchmark of `make bench` still runs, at its smallest size (make test-long): their figures are read by
people only, so a change that breaks one would otherwise go unseen until the next measurement."""
import subprocess
import sys

import pytest

from tests.bench.run_all import BENCHES, ROOT, last_json

pytestmark = pytest.mark.long

# The smallest run of each, the option that names its scratch folder, and the facts each benchmark checks
# about our output against its reference.
SMALLEST = {
    "bench_unpack": (["--small", "--rounds", "1"], "--dir", {"same_output_as_unzip": True}),
    "bench_git": (["--small", "--repeat", "1"], "--workdir", {"same_tree_as_git": True}),
    "bench_history": (["--small", "--repeat", "1"], None, {}),
    "bench_render": (["--small", "--workers", "1"], "--dir", {}),
    "bench_page_history": (["--small", "--workers", "1"], "--dir", {}),
    "bench_download": (["--small"], None, {}),
    "bench_api_capture": (["--small"], None, {}),
    "bench_api_restore": (["--small"], None, {}),
    "bench_large": (["--size", "tiny"], "--workdir", {}),
}


def test_every_benchmark_has_a_smallest_run():
    assert sorted(SMALLEST) == sorted(BENCHES)


@pytest.mark.parametrize("name", sorted(SMALLEST))
def test_the_benchmark_runs_and_reports(name, tmp_path):
    args, scratch, facts = SMALLEST[name]
    (tmp_path / "work").mkdir()
    args = args + ([scratch, str(tmp_path / "work")] if scratch else [])
    done = subprocess.run([sys.executable, "-m", f"tests.bench.{name}", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    result = last_json(done.stdout)
    assert isinstance(result, dict) and result, done.stdout[-2000:]
    for key, value in facts.items():
        assert result[key] == value, (key, result.get(key))
