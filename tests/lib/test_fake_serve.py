"""`python -m tests.fakes.serve` serves a workspace the export client can fetch, and edits it by day file."""
import io
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from lib.config import load_config
from lib.notion import run_export
from lib.core.layout import Layout

REPO = Path(__file__).resolve().parents[2]


def _tree(path):
    outer = zipfile.ZipFile(path)
    names = set()
    for part in outer.namelist():
        inner = zipfile.ZipFile(io.BytesIO(outer.read(part)))
        names |= {n.split("/", 1)[1] for n in inner.namelist()}
    return names


def test_serve_writes_env_and_follows_the_day_file(tmp_path):
    env_file, day_file = tmp_path / "fake.env", tmp_path / "day"
    day_file.write_text("0")
    proc = subprocess.Popen([sys.executable, "-m", "tests.fakes.serve", "--pages", "60", "--seed", "1",
                             "--env-file", str(env_file), "--day-file", str(day_file)],
                            cwd=REPO, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while not env_file.exists():
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        env = dict(line.split("=", 1) for line in env_file.read_text().splitlines())
        assert env["NATIVE_EXPORT_FILE_TOKEN"] == "" and env["NATIVE_EXPORT_TOKEN_V2"]
        env.update(OFFICIAL_WORKSPACE_POLL_INTERVAL_SECONDS="0.01", OFFICIAL_WORKSPACE_NOTIFICATION_INTERVAL_SECONDS="0.01")
        runs = []
        for day, run_id in enumerate(("run1", "run2")):
            day_file.write_text(f"{day}\n")
            cfg = load_config(tmp_path, dict(env, BACKUP_RUN_ID=run_id))
            runs.append(Layout.for_config(cfg))
            run_export(cfg, runs[-1])
        first, second = _tree(runs[0].export_zip), _tree(runs[1].export_zip)
        assert len(first) > 60 and first != second
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
