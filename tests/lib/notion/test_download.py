"""The download of the export ZIP: cookie, redirects, checks of status, magic and length, Range."""
import zipfile

import pytest

from lib.core.errors import ExportError
from lib.notion.file_download import partial_of
from lib.notion.export import run_export
from tests.fakes.exports import FakeWorkspace
from tests.fakes.notion_internal import FakeNotion
from tests.lib.notion.export_support import assert_no_secrets, capture, export_setup, run_layout


def _workspace():
    return FakeWorkspace(seed=7, pages=30, databases=1, attachments=4, attachment_bytes=400_000)


def _served_bytes(fake):
    (export,) = fake.exports.values()
    return export["path"].read_bytes()


def test_configured_file_token_is_used_when_notion_sets_none(tmp_path):
    with FakeNotion(set_file_token=False) as fake:
        manifest = run_export(*export_setup(fake, tmp_path))
        assert manifest["file_token"] == "configured"
        assert fake.calls(".zip", host="file")[0]["cookies"] == {"file_token": fake.file_token}


def test_missing_file_token_is_named(tmp_path, caplog):
    capture(caplog)
    with FakeNotion(set_file_token=False) as fake:
        with pytest.raises(ExportError, match="403.*Access denied.*file_token cookie is needed; none was configured") as info:
            run_export(*export_setup(fake, tmp_path, file_token=False))
        assert "NATIVE_EXPORT_FILE_TOKEN" in str(info.value)
        assert not (run_layout(tmp_path).export_zip).exists() and not (partial_of(run_layout(tmp_path).export_zip)).exists()
        assert_no_secrets(fake, str(info.value), run_dir=run_layout(tmp_path).run_dir, caplog=caplog)


def test_wrong_file_token_is_named(tmp_path):
    with FakeNotion(set_file_token=False) as fake:
        settings = export_setup(fake, tmp_path, NATIVE_EXPORT_FILE_TOKEN="ft-stale-cookie")
        with pytest.raises(ExportError, match="the one sent was rejected"):
            run_export(*settings)


def test_redirect_to_another_host_gets_no_cookies(tmp_path, caplog):
    capture(caplog)
    with FakeNotion(download_redirect=True) as fake:
        manifest = run_export(*export_setup(fake, tmp_path))
        other = fake.calls(".zip", host="other")
        assert other and other[0]["cookies"] == {} and "Cookie" not in other[0]["headers"]
        assert manifest["jobs"][0]["download"]["host"] == fake.other_url.split("//")[1]
        assert (run_layout(tmp_path).export_zip).read_bytes() == _served_bytes(fake)
        assert_no_secrets(fake, manifest, run_dir=run_layout(tmp_path).run_dir, caplog=caplog)


@pytest.mark.parametrize("fault", ["download_truncate", "download_drop"])
def test_cut_body_resumes_with_range(tmp_path, caplog, fault):
    capture(caplog)
    with FakeNotion(workspace=_workspace(), drop_after=300_000, **{fault: 1}) as fake:
        manifest = run_export(*export_setup(fake, tmp_path))
        ranges = [r["headers"].get("Range") for r in fake.calls(".zip", host="file")]
        assert ranges[0] is None and ranges[1].startswith("bytes=") and ranges[1] != "bytes=0-"
        assert (run_layout(tmp_path).export_zip).read_bytes() == _served_bytes(fake)
        assert manifest["jobs"][0]["download"]["bytes"] == len(_served_bytes(fake))
        assert "resuming at byte" in caplog.text


def test_html_with_200_is_retried_then_accepted(tmp_path, caplog):
    capture(caplog)
    with FakeNotion(download_html_200=1) as fake:
        run_export(*export_setup(fake, tmp_path))
        assert "body is not a ZIP (status 200, text/html" in caplog.text
        assert zipfile.ZipFile(run_layout(tmp_path).export_zip).namelist()


@pytest.mark.parametrize("fault, kind", [("download_html_200", "text/html"), ("download_pdf", "application/pdf")])
def test_non_zip_body_is_refused(tmp_path, fault, kind):
    with FakeNotion(**{fault: 99}) as fake:
        with pytest.raises(ExportError, match=f"gave up.*body is not a ZIP .status 200, {kind}"):
            run_export(*export_setup(fake, tmp_path, OFFICIAL_EXPORT_HTTP_RETRIES=2))
        assert not (run_layout(tmp_path).export_zip).exists()


def test_expired_link_is_named(tmp_path):
    with FakeNotion(link_expired=True) as fake:
        with pytest.raises(ExportError, match="HTTP 400.*expired") as info:
            run_export(*export_setup(fake, tmp_path))
        assert "signature=" not in str(info.value) and "fresh export" in str(info.value)


def test_repeated_drops_give_up_but_keep_the_part(tmp_path):
    with FakeNotion(workspace=_workspace(), download_drop=99, drop_after=300_000) as fake:
        with pytest.raises(ExportError, match="gave up after 2 retries"):
            run_export(*export_setup(fake, tmp_path, OFFICIAL_EXPORT_HTTP_RETRIES=2))
        part = partial_of(run_layout(tmp_path).export_zip)
        assert 0 < part.stat().st_size < len(_served_bytes(fake)) and not (run_layout(tmp_path).export_zip).exists()


@pytest.mark.parametrize("variant", [{"unwrapped": True}, {"utf8_flag": False}, {"corrupt_part": 1}])
def test_zip_variants_arrive_byte_for_byte(tmp_path, variant):
    with FakeNotion(**variant) as fake:
        run_export(*export_setup(fake, tmp_path))
        assert (run_layout(tmp_path).export_zip).read_bytes() == _served_bytes(fake)
        names = zipfile.ZipFile(run_layout(tmp_path).export_zip).namelist()
        assert ("index.html" in names) == bool(variant.get("unwrapped"))
