"""An export killed while polling or downloading resumes: same Notion task, Range for the rest."""
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lib.notion.file_download import partial_of
from lib.notion.export import run_export
from tests.fakes.exports import FakeWorkspace
from tests.fakes.notion_internal import FakeNotion
from tests.lib.notion.export_support import assert_no_secrets, capture, export_env, export_setup, run_layout

REPO = Path(__file__).resolve().parents[3]
CHILD = ("import json, sys\nfrom lib.config import load_config\nfrom lib.notion import run_export\n"
         "from lib.core.layout import Layout\ncfg = load_config(sys.argv[2], json.loads(sys.argv[1]))\n"
         "run_export(cfg, Layout.for_config(cfg))\n")


def _start_child(env, root):
    """Run the export in a child process (killed by the tests) with environment `env` in project `root`."""
    return subprocess.Popen([sys.executable, "-c", CHILD, json.dumps(env), str(root)],
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _kill_when(proc, condition, timeout=20):
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline, "the child never reached the point to interrupt"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def test_killed_while_polling_resumes_the_same_task(tmp_path, caplog):
    capture(caplog)
    with FakeNotion(export_polls=10**6) as fake:
        _kill_when(_start_child(export_env(fake), tmp_path), lambda: len(fake.calls("getTasks")) >= 5)
        state = json.loads((run_layout(tmp_path).export_state).read_text())
        task_id = state["jobs"]["workspace"]["attempts"][0]["task_id"]
        assert state["jobs"]["workspace"]["attempts"][0]["state"] == "in_progress"
        fake.faults["export_polls"] = 3
        manifest = run_export(*export_setup(fake, tmp_path))
        assert len(fake.calls("enqueueTask")) == 1 and manifest["task_ids"] == [task_id]
        assert "resuming Notion task" in caplog.text
        assert_no_secrets(fake, manifest, run_dir=run_layout(tmp_path).run_dir, caplog=caplog)


def test_killed_while_downloading_resumes_with_range(tmp_path, caplog):
    capture(caplog)
    workspace = FakeWorkspace(seed=8, pages=30, databases=1, attachments=6, attachment_bytes=200_000)
    with FakeNotion(workspace=workspace, download_rate=400_000) as fake:
        part = partial_of(run_layout(tmp_path).export_zip)
        _kill_when(_start_child(export_env(fake), tmp_path), lambda: part.exists() and part.stat().st_size >= 200_000)
        had = part.stat().st_size
        fake.faults["download_rate"] = None
        manifest = run_export(*export_setup(fake, tmp_path))
        assert len(fake.calls("enqueueTask")) == 1
        last = fake.calls(".zip", host="file")[-1]
        assert last["headers"].get("Range") == f"bytes={had}-"
        (export,) = fake.exports.values()
        assert (run_layout(tmp_path).export_zip).read_bytes() == export["path"].read_bytes()
        assert manifest["jobs"][0]["download"]["resumed_from"] == had
        assert_no_secrets(fake, manifest, run_dir=run_layout(tmp_path).run_dir, caplog=caplog)


def test_expired_link_of_an_earlier_run_gets_a_fresh_export(tmp_path, caplog):
    capture(caplog)
    workspace = FakeWorkspace(seed=8, pages=30, databases=1, attachments=4, attachment_bytes=400_000)
    with FakeNotion(workspace=workspace, download_drop=99, drop_after=300_000) as fake:
        with pytest.raises(Exception):
            run_export(*export_setup(fake, tmp_path, OFFICIAL_EXPORT_HTTP_RETRIES=1))
        assert (partial_of(run_layout(tmp_path).export_zip)).exists()
        fake.faults.update(download_drop=0, clock_offset_ms=2 * 3600_000)  # the first link is now expired
        manifest = run_export(*export_setup(fake, tmp_path))
        assert len(fake.calls("enqueueTask")) == 2 and manifest["attempts"] == 2
        assert "enqueueing a fresh export" in caplog.text
        state = json.loads((run_layout(tmp_path).export_state).read_text())
        assert [a["state"] for a in state["jobs"]["workspace"]["attempts"]] == ["link_expired", "downloaded"]


def test_state_for_other_settings_is_not_reused(tmp_path):
    with FakeNotion() as fake:
        run_layout(tmp_path).run_dir.mkdir(parents=True, exist_ok=True)
        run_layout(tmp_path).export_state.write_text(json.dumps({"version": 1, "mode": "workspace", "space_id": "x",
                                                           "root_ids": [], "jobs": {"workspace": {"attempts": [
                                                               {"task_id": "t", "enqueued_at_ms": 1, "state": "in_progress"}],
                                                               "state": "polling"}}}))
        manifest = run_export(*export_setup(fake, tmp_path))
        assert manifest["task_ids"] != ["t"] and len(fake.calls("enqueueTask")) == 1


def test_complete_part_left_by_a_crash_before_the_rename(tmp_path):
    with FakeNotion() as fake:
        run_export(*export_setup(fake, tmp_path))
        # the instant between the last byte and os.replace: the whole file is still .part
        (run_layout(tmp_path).export_zip).rename(partial_of(run_layout(tmp_path).export_zip))
        state = json.loads((run_layout(tmp_path).export_state).read_text())
        state["state"] = "started"
        state["jobs"]["workspace"]["state"] = "downloading"
        state["jobs"]["workspace"]["attempts"][0]["state"] = "link"
        run_layout(tmp_path).run_dir.mkdir(parents=True, exist_ok=True)
        run_layout(tmp_path).export_state.write_text(json.dumps(state))
        manifest = run_export(*export_setup(fake, tmp_path))
        assert len(fake.calls("enqueueTask")) == 1 and manifest["attempts"] == 1
        assert fake.calls(".zip", host="file")[-1]["headers"]["Range"].startswith("bytes=")
        (export,) = fake.exports.values()
        assert (run_layout(tmp_path).export_zip).read_bytes() == export["path"].read_bytes()
