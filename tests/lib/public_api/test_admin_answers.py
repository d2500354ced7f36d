"""The Admin API's answers are bounded: an oversized one is refused in bounded memory, a misshapen one is named."""
import gc
import logging
import tracemalloc

import pytest

from lib.core.errors import ExportError
from lib.http.answers import AnswerRefused
from lib.public_api import run_admin_export
from lib.public_api.admin_http import MAX_ANSWER_BYTES
from tests.fakes.notion_admin import FakeNotionAdmin
from tests.lib.public_api.test_admin_export import admin_setup, leaked

HUGE = 200_000_000  # what the issue measured: a 200 MB status answer once peaked at 875 MB


@pytest.mark.parametrize("announced", [False, True], ids=["chunked", "with-content-length"])
def test_an_oversized_status_answer_is_refused_in_bounded_memory(tmp_path, announced):
    with FakeNotionAdmin(huge_status=1, huge_bytes=HUGE, huge_announced=announced) as admin:
        cfg, layout = admin_setup(admin, tmp_path)
        gc.collect()
        tracemalloc.start()
        try:
            with pytest.raises(AnswerRefused) as refused:
                run_admin_export(cfg, layout)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            admin.settle()  # 3.11 lacks the fix of CPython gh-128679: stop() while a thread allocates can crash
            tracemalloc.stop()
    message = str(refused.value)
    assert f"more than the {MAX_ANSWER_BYTES:,} accepted" in message and "Admin API GET /v1/exports" in message
    assert '{"status": "in_progress", "padding": "xxx' in message and len(message) < 800
    assert isinstance(refused.value, ExportError), "an ExportError: the run exits REFUSED, not BUG"
    # The cap, its buffer's growth and the test's own servers; reading the answer whole needed 200 MB and more.
    assert peak < 4 * MAX_ANSWER_BYTES < HUGE / 5, f"peak {peak:,} bytes"


def test_download_urls_as_an_object_is_refused_with_what_notion_sent(tmp_path, caplog):
    caplog.set_level(logging.DEBUG, logger="lib")
    with FakeNotionAdmin(urls_as_object=1) as admin:
        cfg, layout = admin_setup(admin, tmp_path)
        with pytest.raises(ExportError) as refused:
            run_admin_export(cfg, layout)
        message = str(refused.value)
        assert "Notion sent `download_urls` as dict, not a list of str" in message
        assert 'not a list of str: {"0": "http://127.0.0.1' in message and "X-Amz-Signature=***" in message
        assert not leaked(admin, message, caplog.text)
    assert not layout.export_zip.exists()


def test_the_next_run_resumes_the_same_job_once_notion_answers_well(tmp_path):
    with FakeNotionAdmin(urls_as_object=1) as admin:
        cfg, layout = admin_setup(admin, tmp_path)
        with pytest.raises(ExportError):
            run_admin_export(cfg, layout)
        manifest = run_admin_export(cfg, layout)
        assert len(admin.jobs) == 1 and manifest["urls"] >= 1 and layout.export_zip.exists()
