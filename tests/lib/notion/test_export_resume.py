"""An export killed while polling or downloading resumes: same Notion task, Range for the rest."""
import dataclasses
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lib.notion.export import run_export
from tests.fakes.exports import FakeWorkspace
from tests.fakes.notion_internal import FakeNotion
from tests.lib.notion.export_support import assert_no_secrets, capture, settings_for

REPO = Path(__file__).resolve().parents[3]
CHILD = ("import json, sys\nfrom lib.notion.export import ExportSettings, run_export\n"
         "run_export(ExportSettings(**json.loads(sys.argv[1])), sys.argv[2])\n")


def _start_child(settings, run_dir):
    return subprocess.Popen([sys.executable, "-c", CHILD, json.dumps(dataclasses.asdict(settings)), str(run_dir)],
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
        settings = settings_for(fake, poll_timeout_seconds=30)
        _kill_when(_start_child(settings, tmp_path), lambda: len(fake.calls("getTasks")) >= 5)
        state = json.loads((tmp_path / "export.json").read_text())
        task_id = state["jobs"]["workspace"]["attempts"][0]["task_id"]
        assert state["jobs"]["workspace"]["attempts"][0]["state"] == "in_progress"
        fake.faults["export_polls"] = 3
        manifest = run_export(settings, tmp_path)
        assert len(fake.calls("enqueueTask")) == 1 and manifest["task_ids"] == [task_id]
        assert "resuming Notion task" in caplog.text
        assert_no_secrets(fake, manifest, run_dir=tmp_path, caplog=caplog)


def test_killed_while_downloading_resumes_with_range(tmp_path, caplog):
    capture(caplog)
    workspace = FakeWorkspace(seed=8, pages=30, databases=1, attachments=6, attachment_bytes=200_000)
    with FakeNotion(workspace=workspace, download_rate=400_000) as fake:
        settings = settings_for(fake)
        part = tmp_path / "export.zip.part"
        _kill_when(_start_child(settings, tmp_path), lambda: part.exists() and part.stat().st_size >= 200_000)
        had = part.stat().st_size
        fake.faults["download_rate"] = None
        manifest = run_export(settings, tmp_path)
        assert len(fake.calls("enqueueTask")) == 1
        last = fake.calls(".zip", host="file")[-1]
        assert last["headers"].get("Range") == f"bytes={had}-"
        (export,) = fake.exports.values()
        assert (tmp_path / "export.zip").read_bytes() == export["path"].read_bytes()
        assert manifest["jobs"][0]["download"]["resumed_from"] == had
        assert_no_secrets(fake, manifest, run_dir=tmp_path, caplog=caplog)


def test_expired_link_of_an_earlier_run_gets_a_fresh_export(tmp_path, caplog):
    capture(caplog)
    workspace = FakeWorkspace(seed=8, pages=30, databases=1, attachments=4, attachment_bytes=400_000)
    with FakeNotion(workspace=workspace, download_drop=99, drop_after=300_000) as fake:
        settings = settings_for(fake, max_http_retries=1)
        with pytest.raises(Exception):
            run_export(settings, tmp_path)
        assert (tmp_path / "export.zip.part").exists()
        fake.faults.update(download_drop=0, clock_offset_ms=2 * 3600_000)  # the first link is now expired
        manifest = run_export(settings_for(fake), tmp_path)
        assert len(fake.calls("enqueueTask")) == 2 and manifest["attempts"] == 2
        assert "enqueueing a fresh export" in caplog.text
        state = json.loads((tmp_path / "export.json").read_text())
        assert [a["state"] for a in state["jobs"]["workspace"]["attempts"]] == ["link_expired", "downloaded"]


def test_state_for_other_settings_is_not_reused(tmp_path):
    with FakeNotion() as fake:
        (tmp_path / "export.json").write_text(json.dumps({"version": 1, "mode": "workspace", "space_id": "x",
                                                           "root_ids": [], "jobs": {"workspace": {"attempts": [
                                                               {"task_id": "t", "enqueued_at_ms": 1, "state": "in_progress"}],
                                                               "state": "polling"}}}))
        manifest = run_export(settings_for(fake), tmp_path)
        assert manifest["task_ids"] != ["t"] and len(fake.calls("enqueueTask")) == 1


def test_complete_part_left_by_a_crash_before_the_rename(tmp_path):
    with FakeNotion() as fake:
        run_export(settings_for(fake), tmp_path)
        # the instant between the last byte and os.replace: the whole file is still .part
        (tmp_path / "export.zip").rename(tmp_path / "export.zip.part")
        state = json.loads((tmp_path / "export.json").read_text())
        state["state"] = "started"
        state["jobs"]["workspace"]["state"] = "downloading"
        state["jobs"]["workspace"]["attempts"][0]["state"] = "link"
        (tmp_path / "export.json").write_text(json.dumps(state))
        manifest = run_export(settings_for(fake), tmp_path)
        assert len(fake.calls("enqueueTask")) == 1 and manifest["attempts"] == 1
        assert fake.calls(".zip", host="file")[-1]["headers"]["Range"].startswith("bytes=")
        (export,) = fake.exports.values()
        assert (tmp_path / "export.zip").read_bytes() == export["path"].read_bytes()
