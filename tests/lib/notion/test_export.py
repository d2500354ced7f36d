"""run_export against FakeNotion: protocol variants, task outcomes, roots mode, manifest, no leaks."""
import io
import json
import zipfile

import pytest

from lib.core.errors import AuthError, ExportError
from lib.core.ids import parse_page_ids
from lib.notion.file_download import partial_of
from lib.notion.export import ExportStalled, attempt_facts, run_export
from tests.fakes.exports import FakeWorkspace
from tests.fakes.notion_internal import FakeNotion
from tests.lib.notion.export_support import assert_no_secrets, capture, export_setup, run_layout


def _parts(path):
    outer = zipfile.ZipFile(path)
    return [n for n in outer.namelist()], outer


def test_happy_path_workspace(tmp_path, caplog):
    capture(caplog)
    with FakeNotion(seed=1) as fake:
        cfg, layout = export_setup(fake, tmp_path, file_token=False,
                                   NOTION_SPACE_ID=fake.workspace.space_id.replace("-", ""))
        manifest = run_export(cfg, layout)
        names, outer = _parts(run_layout(tmp_path).export_zip)
        assert names and all(n.startswith("Export-") and n.endswith("-Part-1.zip") for n in names)
        enqueue = fake.calls("enqueueTask")
        assert len(enqueue) == 1
        request = enqueue[0]["json"]["task"]["request"]
        assert enqueue[0]["json"]["task"]["eventName"] == "exportSpace"
        assert request["spaceId"] == fake.workspace.space_id and request["shouldExportComments"] is False
        assert request["exportOptions"] == {"exportType": "markdown", "timeZone": "UTC", "locale": "en",
                                             "collectionViewExportType": "all"}
        assert enqueue[0]["headers"]["x-notion-space-id"] == fake.workspace.space_id
        assert manifest["strategy"] == "api" and manifest["attempts"] == 1 and manifest["mode"] == "workspace"
        assert manifest["jobs"][0]["link_source"] == "notification" and manifest["file_token"] == "harvested"
        assert manifest["jobs"][0]["link_host"] == fake.file_host
        assert manifest["bytes"] == (run_layout(tmp_path).export_zip).stat().st_size
        assert not (partial_of(run_layout(tmp_path).export_zip)).exists()
        download = fake.calls(".zip", host="file")[0]
        assert download["cookies"] == {"file_token": fake.file_token}
        read = [op for t in fake.transactions for tx in t["transactions"] for op in tx["operations"]]
        assert read and read[0]["args"] == {"read": True}
        assert_no_secrets(fake, manifest, run_dir=run_layout(tmp_path).run_dir, caplog=caplog)


def test_second_run_on_a_finished_export_does_nothing(tmp_path):
    with FakeNotion() as fake:
        first = run_export(*export_setup(fake, tmp_path))
        count = len(fake.requests)
        assert run_export(*export_setup(fake, tmp_path)) == first
        assert len(fake.requests) == count


@pytest.mark.parametrize("faults, source", [
    ({"link_via": "status"}, "status"),
    ({"link_via": "child"}, "child_task"),
    ({"wrap": "flat"}, "notification"),
    ({"start_time_type": "int"}, "notification"),
    ({"link_delay": 3}, "notification"),
    ({"notification_delay": 3}, "notification"),
    ({"stale_exports": 3, "other_activity": True}, "notification"),
    ({"clock_offset_ms": -20_000}, "notification"),
    ({"recent_export_ms": 5_000, "notification_delay": 2}, "notification"),
    ({"empty_feed_on_api": True}, "notification"),
    ({"export_polls": 8, "rate_limit": {"getTasks": 2}, "retry_after": 0.05, "gateway_error": {"getNotificationLogV2": 1}}, "notification"),
])
def test_link_variants(tmp_path, caplog, faults, source):
    capture(caplog)
    with FakeNotion(**faults) as fake:
        manifest = run_export(*export_setup(fake, tmp_path))
        assert manifest["jobs"][0]["link_source"] == source
        assert zipfile.ZipFile(run_layout(tmp_path).export_zip).testzip() is None
        assert len(fake.calls("enqueueTask")) == 1
        if faults.get("empty_feed_on_api"):
            assert fake.calls("getNotificationLogV2", host="app")
            assert fake.calls("saveTransactionsMain", host="app")
        assert_no_secrets(fake, manifest, run_dir=run_layout(tmp_path).run_dir, caplog=caplog)


def test_retryable_failure_gets_a_fresh_task(tmp_path, caplog):
    capture(caplog)
    with FakeNotion(task_retryable_failure=1) as fake:
        manifest = run_export(*export_setup(fake, tmp_path, OFFICIAL_WORKSPACE_RETRYABLE_FAILURE_RETRIES=1))
        assert manifest["attempts"] == 2 and len(fake.calls("enqueueTask")) == 2
        assert "enqueueing a fresh task (retry 1/1)" in caplog.text


def test_retryable_failure_retries_are_bounded(tmp_path):
    with FakeNotion(task_retryable_failure=3, failure_error="Invalid input.") as fake:
        with pytest.raises(ExportError, match="retryable_failure.*Invalid input.*2 attempt") as info:
            run_export(*export_setup(fake, tmp_path, OFFICIAL_WORKSPACE_RETRYABLE_FAILURE_RETRIES=1))
        assert len(fake.calls("enqueueTask")) == 2
        facts = attempt_facts(run_layout(tmp_path))
        assert facts["attempts"] == 2 and len(facts["task_ids"]) == 2 and "retries" not in vars(info.value)


def test_failure_stops_with_notions_error_text(tmp_path):
    with FakeNotion(task_failure=1, failure_error="User cannot access space, or it does not exist.") as fake:
        with pytest.raises(ExportError, match="failed: User cannot access space"):
            run_export(*export_setup(fake, tmp_path))
        assert len(fake.calls("enqueueTask")) == 1
        state = json.loads((run_layout(tmp_path).export_state).read_text())
        assert state["jobs"]["workspace"]["attempts"][0]["state"] == "failure"


@pytest.mark.parametrize("faults, text", [({"stuck": True}, "stayed in_progress"),
                                          ({"link_via": "none"}, "reached success but no download link")])
def test_stalled_exports_raise_export_stalled(tmp_path, faults, text):
    with FakeNotion(**faults) as fake:
        with pytest.raises(ExportStalled, match=text):
            run_export(*export_setup(fake, tmp_path, OFFICIAL_WORKSPACE_POLL_TIMEOUT_SECONDS=0.4))
        state = json.loads((run_layout(tmp_path).export_state).read_text())
        assert state["jobs"]["workspace"]["attempts"][-1]["state"] == "stalled"
        fake.faults.update(stuck=False, link_via=None)
        manifest = run_export(*export_setup(fake, tmp_path))  # a re-run after a stall starts a fresh task
        assert manifest["attempts"] == 2 and len(fake.calls("enqueueTask")) == 2


def test_token_expiring_mid_run_keeps_the_task_for_the_next_run(tmp_path):
    with FakeNotion(token_expires_after=4) as fake:
        with pytest.raises(AuthError):
            run_export(*export_setup(fake, tmp_path))
        fake.faults["token_expires_after"] = None
        manifest = run_export(*export_setup(fake, tmp_path))
        assert len(fake.calls("enqueueTask")) == 1 and manifest["attempts"] == 1


def test_wrong_payload_is_what_notion_rejects(tmp_path):
    with FakeNotion() as fake:
        with pytest.raises(ExportError, match="User cannot access space"):
            run_export(*export_setup(fake, tmp_path, NOTION_SPACE_ID="0" * 32))


def test_auth_error_leaves_no_secret(tmp_path, caplog):
    capture(caplog)
    with FakeNotion() as fake:
        with pytest.raises(AuthError, match="refresh NATIVE_EXPORT_TOKEN_V2") as info:
            run_export(*export_setup(fake, tmp_path, NATIVE_EXPORT_TOKEN_V2="v02%3Aold-session-value"))
        assert "old-session-value" not in str(info.value) + caplog.text
        assert not (run_layout(tmp_path).export_zip).exists()


def test_roots_mode_one_block_export_per_root(tmp_path, caplog):
    capture(caplog)
    workspace = FakeWorkspace(seed=3, pages=80, databases=2, attachments=5)
    roots = [n for n in workspace.live_nodes() if n.parent is None][:2]
    with FakeNotion(workspace=workspace) as fake:
        ids = [roots[0].id, f"https://www.notion.so/acme/{roots[1].title.replace(' ', '-')}-{roots[1].id}?pvs=4"]
        manifest = run_export(*export_setup(fake, tmp_path, OFFICIAL_EXPORT_MODE="roots", OFFICIAL_EXPORT_ROOT_PAGE_IDS=",".join(ids)))
        dashed = parse_page_ids(",".join(ids))
        wrapper = zipfile.ZipFile(run_layout(tmp_path).export_zip)
        assert wrapper.namelist() == [f"Root-{r}.zip" for r in dashed]
        for name in wrapper.namelist():
            inner = zipfile.ZipFile(io.BytesIO(wrapper.read(name)))
            assert inner.namelist()[0].endswith("-Part-1.zip")
        bodies = [c["json"]["task"] for c in fake.calls("enqueueTask")]
        assert [b["eventName"] for b in bodies] == ["exportBlock", "exportBlock"]
        assert [b["request"]["block"] for b in bodies] == [{"id": r, "spaceId": fake.workspace.space_id} for r in dashed]
        assert manifest["mode"] == "roots" and [j["root_id"] for j in manifest["jobs"]] == dashed
        assert all(j["link_source"] == "status" for j in manifest["jobs"])
        assert not (run_layout(tmp_path).run_dir / "roots").exists()
        assert_no_secrets(fake, manifest, run_dir=run_layout(tmp_path).run_dir, caplog=caplog)
