"""`python -m tests.fakes.serve` serves a workspace the export client can fetch, and edits it by day file."""
import io
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from lib.notion.export import ExportSettings, run_export

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
        settings = dict(token_v2=env["NATIVE_EXPORT_TOKEN_V2"], file_token=env["NATIVE_EXPORT_FILE_TOKEN"],
                        space_id=env["NOTION_SPACE_ID"], base_url=env["NOTION_BASE_URL"],
                        notification_base_urls=env["NOTION_NOTIFICATION_BASE_URLS"].split(","),
                        file_hosts=env["NOTION_FILE_HOSTS"].split(","), poll_interval_seconds=0.01,
                        notification_interval_seconds=0.01)
        run_export(ExportSettings(**settings), tmp_path / "run1")
        day_file.write_text("1\n")
        run_export(ExportSettings(**settings), tmp_path / "run2")
        first, second = _tree(tmp_path / "run1" / "export.zip"), _tree(tmp_path / "run2" / "export.zip")
        assert len(first) > 60 and first != second
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
