"""The browser fallback in real Chromium against the stand-in's web app pages."""
import hashlib
import logging
import zipfile
from pathlib import Path

import pytest

from lib.core.errors import ExportError
from lib.notion.ui import export_via_browser
from lib.notion.browser import PAGE_HTML, SCREENSHOT, browser_cookies, browser_path
from tests.fakes.notion_internal import FakeNotion
from tests.lib.notion.export_support import assert_no_secrets, export_setup, run_layout

sync_api = pytest.importorskip("playwright.sync_api")


def _have_browser():
    with sync_api.sync_playwright() as playwright:
        try:
            return browser_path(playwright, "")
        except ExportError as exc:
            return str(exc)


_FOUND = _have_browser()
needs_browser = pytest.mark.skipif(not Path(_FOUND).is_file(), reason=f"no Chromium at all: {_FOUND}")


def _sha(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@needs_browser
def test_download_path_saves_the_exported_zip_with_the_api_options(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    with FakeNotion(seed=3) as fake:
        result = export_via_browser(*export_setup(fake, tmp_path, OFFICIAL_WORKSPACE_UI_TIMEOUT_SECONDS=60))
        built = [e["path"] for e in fake.exports.values()]
        assert fake.ui_exports == [{"exportType": "markdown", "includeContent": "everything", "subpageFolders": "1"}]
        assert len(built) == 1 and _sha(run_layout(tmp_path).export_zip) == _sha(built[0])
        assert_no_secrets(fake, result, caplog.text, run_dir=run_layout(tmp_path).run_dir, caplog=caplog)
    assert result["strategy"] == "browser" and result["arrived_by"] == "download"
    assert result["bytes"] == (run_layout(tmp_path).export_zip).stat().st_size
    with zipfile.ZipFile(run_layout(tmp_path).export_zip) as archive:
        assert archive.testzip() is None
    assert sorted(p.name for p in run_layout(tmp_path).run_dir.iterdir()) == ["export.zip"]  # no .part, no evidence


@needs_browser
def test_email_path_waits_for_the_notification_then_downloads(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    with FakeNotion(seed=4, ui_email_export=True) as fake:
        before = {n["id"] for n in fake.notifications}
        result = export_via_browser(*export_setup(fake, tmp_path, OFFICIAL_WORKSPACE_UI_TIMEOUT_SECONDS=60))
        ours = [n for n in fake.notifications if n["id"] not in before and n["type"] == "export-completed"]
        assert len(ours) == 1 and ours[0]["read"], "the e-mailed export's notification is marked read"
        assert _sha(run_layout(tmp_path).export_zip) == _sha(next(iter(fake.exports.values()))["path"])
        fetched = [r for r in fake.requests if r["host"] == "file" and r["path"].startswith("/f/t/")]
        assert len(fetched) == 1, "the notification's link was downloaded from the file host once"
        assert_no_secrets(fake, result, run_dir=run_layout(tmp_path).run_dir, caplog=caplog)
    assert result["arrived_by"] == "notification" and result["download"]["feed_polls"] >= 1


@needs_browser
def test_expired_cookie_reports_logged_out_with_redacted_evidence(tmp_path, caplog):
    with FakeNotion(seed=5) as fake:
        expired = "v02%3Aexpired%3A" + hashlib.sha1(b"signed out elsewhere").hexdigest()
        settings = export_setup(fake, tmp_path, NATIVE_EXPORT_TOKEN_V2=expired, OFFICIAL_WORKSPACE_UI_TIMEOUT_SECONDS=60)
        with pytest.raises(ExportError) as caught:
            export_via_browser(*settings)
        fake_secrets = {fake.token_v2, fake.file_token}
    message = str(caught.value)
    assert "logged out" in message and "NATIVE_EXPORT_TOKEN_V2" in message
    assert str(run_layout(tmp_path).run_dir / SCREENSHOT) in message and str(run_layout(tmp_path).run_dir / PAGE_HTML) in message
    assert (run_layout(tmp_path).run_dir / SCREENSHOT).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = (run_layout(tmp_path).run_dir / PAGE_HTML).read_text()
    assert "Log in" in page and "***" in page  # the page echoed the cookie; the saved copy masks it
    for secret in {expired, expired.replace("%3A", ":"), *fake_secrets}:
        assert secret not in page and secret not in message and secret not in caplog.text
    assert not (run_layout(tmp_path).export_zip).exists()


@needs_browser
def test_no_export_permission_is_named(tmp_path):
    with FakeNotion(seed=6, ui_no_permission=True) as fake:
        with pytest.raises(ExportError, match="permission to export") as caught:
            export_via_browser(*export_setup(fake, tmp_path, OFFICIAL_WORKSPACE_UI_TIMEOUT_SECONDS=60))
    assert (run_layout(tmp_path).run_dir / SCREENSHOT).exists() and "export rights" in str(caught.value)


def test_missing_browser_gives_the_install_hint(tmp_path):
    with FakeNotion(seed=7) as fake:
        with pytest.raises(ExportError, match="apt-get install chromium, or set CHROMIUM_PATH") as caught:
            export_via_browser(*export_setup(fake, tmp_path, OFFICIAL_WORKSPACE_UI_TIMEOUT_SECONDS=30, CHROMIUM_PATH=str(tmp_path / "no-such-chrome")))
        assert not fake.calls("/")  # nothing was sent anywhere
    assert "no-such-chrome" in str(caught.value) and "Traceback" not in str(caught.value)


def test_a_file_that_is_not_a_browser_gives_the_install_hint(tmp_path):
    with FakeNotion(seed=7) as fake:
        with pytest.raises(ExportError, match="could not start the browser /bin/false.*apt-get install chromium"):
            export_via_browser(*export_setup(fake, tmp_path, OFFICIAL_WORKSPACE_UI_TIMEOUT_SECONDS=30, CHROMIUM_PATH="/bin/false"))


def test_cookies_cover_every_notion_domain_for_real_hosts(tmp_path):
    with FakeNotion(seed=8) as fake:
        cfg, _ = export_setup(fake, tmp_path, NOTION_BASE_URL="https://www.notion.so",
                              NOTION_NOTIFICATION_BASE_URLS="https://www.notion.so,https://app.notion.com",
                              NOTION_FILE_HOSTS="file.notion.so,file.notion.com")
    cookies = browser_cookies(cfg)
    assert sorted((c["name"], c["domain"], c["secure"]) for c in cookies) == [
        ("file_token", ".notion.com", True), ("file_token", ".notion.so", True),
        ("token_v2", ".notion.com", True), ("token_v2", ".notion.so", True)]


@needs_browser
def test_emailed_export_that_never_arrives_ends_within_the_budget(tmp_path):
    with FakeNotion(seed=9, ui_email_export=True, notification_delay=10**6) as fake:
        with pytest.raises(ExportError, match="would be e-mailed, but no export-completed notification arrived"):
            export_via_browser(*export_setup(fake, tmp_path, OFFICIAL_WORKSPACE_NOTIFICATION_INTERVAL_SECONDS=0.2, OFFICIAL_WORKSPACE_UI_TIMEOUT_SECONDS=10))
    assert not (run_layout(tmp_path).export_zip).exists()
