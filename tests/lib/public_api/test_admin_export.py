"""The Admin API export against its stand-in: one job per run id, polling, every URL, resume, refusals, secrets."""
import json
import logging
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lib.archive import Limits, expand_export, extract_zip
from lib.config import load_config
from lib.http.resumable import partial_of
from lib.core.errors import ExportError
from lib.core.fsutil import tree_manifest
from lib.notion import run_export
from lib.core.layout import Layout
from lib.public_api import run_admin_export
from lib.public_api.admin_export import AdminExportFailed, AdminExportStalled
from lib.public_api.admin_http import AdminApiError
from tests.fakes.exports import FakeWorkspace
from tests.fakes.notion_admin import FakeNotionAdmin
from tests.fakes.notion_internal import FakeNotion
from tests.lib.notion.export_support import export_env

FAST = {"OFFICIAL_WORKSPACE_POLL_INTERVAL_SECONDS": 0.01, "OFFICIAL_EXPORT_RETRY_BACKOFF_SECONDS": 0.01,
        "OFFICIAL_EXPORT_RETRY_BACKOFF_MAX_SECONDS": 0.05, "OFFICIAL_EXPORT_HTTP_RETRIES": 4,
        "OFFICIAL_EXPORT_HTTP_TIMEOUT_SECONDS": 10, "OFFICIAL_WORKSPACE_POLL_TIMEOUT_SECONDS": 30,
        "BACKUP_RUN_ID": "run"}


def admin_setup(admin, root, **env):
    """(Config, Layout) of run `run` in project `root`, aimed at the Admin stand-in only."""
    values = {key: str(value) for key, value in {**admin.env(), **FAST, **env}.items()}
    cfg = load_config(root, values)
    return cfg, Layout.for_config(cfg)


def workspace():
    return FakeWorkspace(seed=31, pages=60, databases=3, attachments=8, attachment_bytes=60_000)


def expanded(layout, where):
    """Unpack and shard-expand a run's export.zip as the stages do; return the tree manifest's files."""
    limits = Limits(max_total_bytes=1 << 32, max_ratio=1000, max_entries=100_000)
    extract_zip(layout.export_zip, where / "unpacked", limits)
    expand_export(where / "unpacked", where / "tree", limits)
    return {(f["path"], f["sha256"]) for f in tree_manifest(where / "tree")["files"]}


def leaked(admin, *texts):
    """The secrets (token, URL signatures) found in `texts`."""
    secrets = {admin.token} | {r["query"]["X-Amz-Signature"] for r in admin.calls("GET", "/exports/")
                               if "X-Amz-Signature" in r["query"]}
    return [s for s in secrets for text in texts if s in text]


@pytest.mark.parametrize("layout_kind", ["parts", "wrapper"])
def test_every_url_lands_in_one_export_that_unpacks_like_the_cookie_export(tmp_path, layout_kind, caplog):
    caplog.set_level(logging.DEBUG, logger="lib")
    with FakeNotionAdmin(workspace=workspace(), part_max_bytes=120_000, url_layout=layout_kind) as admin, \
            FakeNotion(workspace=admin.workspace, part_max_bytes=300_000) as cookie:
        cfg, layout = admin_setup(admin, tmp_path / "admin")
        manifest = run_admin_export(cfg, layout)
        cookie_cfg = load_config(tmp_path / "cookie", export_env(cookie))
        run_export(cookie_cfg, Layout.for_config(cookie_cfg))
        ours = expanded(layout, tmp_path / "admin-out")
        theirs = expanded(Layout.for_config(cookie_cfg), tmp_path / "cookie-out")
        assert ours == theirs and len(ours) > 60
        assert manifest["strategy"] == "admin_api" and manifest["parts"] >= 3
        assert manifest["urls"] == (1 if layout_kind == "wrapper" else manifest["parts"])
        assert len(admin.jobs) == 1 and not layout.admin_downloads.exists()
        (post,) = admin.calls("POST")
        assert post["headers"]["Notion-Version"] == "2026-06-01"
        assert all("Authorization" not in r["headers"] for r in admin.calls("GET") if r["host"] == "file")
        state = layout.admin_export_state.read_text()
        assert not leaked(admin, state, json.dumps(manifest), caplog.text)


def test_the_request_asks_for_the_whole_workspace_as_markdown(tmp_path):
    with FakeNotionAdmin() as admin:
        run_admin_export(*admin_setup(admin, tmp_path, OFFICIAL_EXPORT_COMMENTS="true",
                                      OFFICIAL_EXPORT_TIME_ZONE="Europe/Berlin"))
        (job,) = admin.jobs.values()
        assert job["body"] == {"export_type": "markdown", "space_id": admin.workspace.space_id,
                               "on_behalf_of_user_email": admin.email, "collection_view_export_type": "all",
                               "include_contents": "everything", "include_comments": True,
                               "flatten_export_filetree": False, "locale": "en", "time_zone": "Europe/Berlin"}


def test_a_second_run_of_the_same_run_id_does_nothing(tmp_path):
    with FakeNotionAdmin() as admin:
        first = run_admin_export(*admin_setup(admin, tmp_path))
        calls = len(admin.requests)
        assert run_admin_export(*admin_setup(admin, tmp_path)) == first and len(admin.requests) == calls


def test_a_stopped_run_resumes_the_same_job_and_never_enqueues_twice(tmp_path):
    with FakeNotionAdmin(job_seconds=3600) as admin:
        with pytest.raises(AdminExportStalled, match="stayed in_progress.*OFFICIAL_WORKSPACE_POLL_TIMEOUT_SECONDS"):
            run_admin_export(*admin_setup(admin, tmp_path, OFFICIAL_WORKSPACE_POLL_TIMEOUT_SECONDS=0.3))
        (job_id,) = admin.jobs
        admin.faults["job_seconds"] = 0
        manifest = run_admin_export(*admin_setup(admin, tmp_path))
        assert len(admin.jobs) == 1 and manifest["job_id"] == job_id and manifest["polls"] > 2


def test_a_failed_job_names_notions_error_and_is_not_enqueued_again(tmp_path):
    with FakeNotionAdmin(fail=1, failure_type="workspace_too_large",
                         failure_message="Export exceeds the maximum size.") as admin:
        with pytest.raises(AdminExportFailed, match="failed: workspace_too_large: Export exceeds the maximum size"):
            run_admin_export(*admin_setup(admin, tmp_path))
        with pytest.raises(AdminExportFailed, match="Export exceeds the maximum size.*no second export"):
            run_admin_export(*admin_setup(admin, tmp_path))
        assert len(admin.jobs) == 1
        run_admin_export(*admin_setup(admin, tmp_path, BACKUP_RUN_ID="next"))
        assert len(admin.jobs) == 2


def test_expired_urls_are_replaced_from_the_status_endpoint(tmp_path):
    with FakeNotionAdmin(workspace=workspace(), part_max_bytes=120_000, expired_urls=1) as admin:
        manifest = run_admin_export(*admin_setup(admin, tmp_path))
        assert manifest["url_refreshes"] == 1
        assert not [r for r in admin.calls("GET") if r["host"] == "file" and "expired" in r["path"]]


def test_urls_refused_between_parts_are_refreshed_from_the_status_endpoint(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="lib")
    with FakeNotionAdmin(workspace=workspace(), part_max_bytes=150_000, url_ttl=0.5, report_expiry=False,
                         download_rate=600_000) as admin:
        cfg, layout = admin_setup(admin, tmp_path)
        manifest = run_admin_export(cfg, layout)
        assert manifest["url_refreshes"] >= 1 and "was refused (download URL refused: HTTP 403" in caplog.text
        assert len(expanded(layout, tmp_path / "out")) > 60


def test_rate_limits_and_server_errors_are_retried(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="lib")
    with FakeNotionAdmin(rate_limit={"exports": 2, "status": 2}, retry_after=0, server_error=1,
                         completed_without_urls=2) as admin:
        manifest = run_admin_export(*admin_setup(admin, tmp_path))
        assert len(admin.jobs) == 1 and manifest["http_retries"] == 5
        assert "rate limited (429)" in caplog.text and "HTTP 503" in caplog.text


def test_retries_give_up_with_the_last_answer(tmp_path):
    with FakeNotionAdmin(server_error=99) as admin:
        with pytest.raises(ExportError, match="gave up after 2 retries.*HTTP 503"):
            run_admin_export(*admin_setup(admin, tmp_path, OFFICIAL_EXPORT_HTTP_RETRIES=2))
        assert not admin.jobs


@pytest.mark.parametrize("env, pattern", [
    ({"NOTION_ADMIN_TOKEN": "ntn_wrong_token_value"}, r"refused the token: HTTP 401 unauthorized.*NOTION_ADMIN_TOKEN"),
    ({"NOTION_ADMIN_USER_EMAIL": "someone@else.example"},
     r"HTTP 400 validation_error: on_behalf_of_user_email is not a member.*NOTION_ADMIN_USER_EMAIL"),
    ({"NOTION_SPACE_ID": "0" * 32}, r"HTTP 404 object_not_found.*NOTION_SPACE_ID"),
])
def test_refusals_carry_notions_message_and_the_setting_to_fix(tmp_path, env, pattern, caplog):
    caplog.set_level(logging.DEBUG, logger="lib")
    with FakeNotionAdmin() as admin:
        with pytest.raises(AdminApiError, match=pattern) as info:
            run_admin_export(*admin_setup(admin, tmp_path, **env))
        assert not admin.jobs and not leaked(admin, str(info.value), caplog.text)


def test_a_killed_download_keeps_its_part_and_resumes_it_with_range(tmp_path):
    big = FakeWorkspace(seed=32, pages=30, databases=1, attachments=8, attachment_bytes=200_000)
    with FakeNotionAdmin(workspace=big, part_max_bytes=10_000_000, download_drop=99, drop_after=300_000) as admin:
        with pytest.raises(ExportError, match="gave up"):
            run_admin_export(*admin_setup(admin, tmp_path, OFFICIAL_EXPORT_HTTP_RETRIES=1))
        cfg, layout = admin_setup(admin, tmp_path)
        part = partial_of(layout.admin_downloads / "part-1.zip")
        had = part.stat().st_size
        assert had > 0
        admin.faults["download_drop"] = 0
        manifest = run_admin_export(cfg, layout)
        last = [r for r in admin.calls("GET") if r["host"] == "file"][-1]
        assert last["headers"].get("Range") == f"bytes={had}-" and manifest["downloads"][0]["resumed_from"] == had
        assert len(admin.jobs) == 1


CHILD = ("import json, sys\nfrom lib.config import load_config\nfrom lib.core.layout import Layout\n"
         "from lib.public_api import run_admin_export\ncfg = load_config(sys.argv[2], json.loads(sys.argv[1]))\n"
         "run_admin_export(cfg, Layout.for_config(cfg))\n")


def test_killed_while_polling_resumes_the_same_job(tmp_path):
    with FakeNotionAdmin(job_seconds=3600) as admin:
        env = {key: str(value) for key, value in {**admin.env(), **FAST}.items()}
        child = subprocess.Popen([sys.executable, "-c", CHILD, json.dumps(env), str(tmp_path)],
                                 cwd=Path(__file__).resolve().parents[3], stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while len(admin.calls("GET", "/admin/v1/exports/")) < 3:
            assert child.poll() is None and time.monotonic() < deadline, child.stderr.read().decode()
            time.sleep(0.02)
        child.send_signal(signal.SIGKILL)
        child.wait()
        cfg, layout = admin_setup(admin, tmp_path)
        (job_id,) = admin.jobs
        assert json.loads(layout.admin_export_state.read_text())["job"]["id"] == job_id
        admin.faults["job_seconds"] = 0
        assert run_admin_export(cfg, layout)["job_id"] == job_id and len(admin.jobs) == 1
