"""NotionHTTP against FakeNotion: retries, auth errors, cookie scoping, lenient parsing."""
import time

import pytest

from lib.core.errors import AuthError, ExportError
from lib.http.retry import RetryPolicy
from lib.notion.http import HostUnreachable, NotionHTTP, host_matches, unwrap
from tests.fakes.notion_internal import FakeNotion
from tests.lib.notion.export_support import assert_no_secrets, capture

BODY = {"spaceId": None}


def client(fake, token=None, file_token="", retries=4, timeout=5.0, backoff=0.01):
    return NotionHTTP(token or fake.token_v2, file_token, fake.workspace.space_id, [fake.api_url, fake.app_url],
                      [fake.file_host], timeout=timeout, policy=RetryPolicy(retries, backoff, 0.05))


def tasks(http, fake):
    return http.post(fake.api_url, "getUserTasks", {"spaceId": fake.workspace.space_id})


@pytest.mark.parametrize("fault", [
    {"rate_limit": 2, "retry_after": None}, {"rate_limit": 2, "retry_after": 0.05}, {"gateway_error": 2},
    {"bot_page": 2}, {"reset": 2}])
def test_transient_faults_are_retried_with_a_progress_line(fault, caplog):
    capture(caplog)
    with FakeNotion(**fault) as fake:
        http = client(fake)
        assert tasks(http, fake) == {"taskIds": []}
        assert len(fake.calls("getUserTasks")) == 3 and http.retries_used == 2
        assert "retry 2/4" in caplog.text and "Notion getUserTasks" in caplog.text
        assert_no_secrets(fake, caplog=caplog)


def test_retry_after_is_honoured(caplog):
    capture(caplog)
    with FakeNotion(rate_limit=1, retry_after=0.3) as fake:
        started = time.monotonic()
        tasks(client(fake), fake)
        assert time.monotonic() - started >= 0.3
        assert "rate limited (429)" in caplog.text and "in 0.3 s" in caplog.text


def test_read_timeout_is_retried():
    with FakeNotion(slow=1, slow_seconds=3.0) as fake:
        http = client(fake, timeout=1.0)
        assert tasks(http, fake) == {"taskIds": []} and http.retries_used == 1


def test_retries_are_bounded():
    with FakeNotion(gateway_error=50) as fake:
        with pytest.raises(ExportError, match="gave up after 3 retries.*502"):
            tasks(client(fake, retries=3), fake)
        assert len(fake.calls("getUserTasks")) == 4


def test_expired_token_is_an_auth_error_without_retry(caplog):
    capture(caplog)
    with FakeNotion() as fake:
        with pytest.raises(AuthError) as info:
            tasks(client(fake, token="v02%3Aexpired-session"), fake)
        assert str(info.value).startswith("token_v2 expired or invalid: refresh NATIVE_EXPORT_TOKEN_V2 (README: Refreshing cookies)")
        assert "UnauthorizedError" in str(info.value) and len(fake.requests) == 1


def test_malformed_token_is_an_auth_error():
    with FakeNotion() as fake:
        with pytest.raises(AuthError, match="DecryptionError"):
            tasks(client(fake, token="garbage"), fake)


def test_token_expiring_mid_run():
    with FakeNotion(token_expires_after=2) as fake:
        http = client(fake)
        tasks(http, fake), tasks(http, fake)
        with pytest.raises(AuthError):
            tasks(http, fake)


def test_cookie_scoping_by_host_and_port():
    with FakeNotion() as fake:
        http = client(fake, file_token="ft-configured-value")
        assert http.cookies_for(fake.api_url + "/api/v3/x") == f"token_v2={fake.token_v2}"
        assert http.cookies_for(fake.file_url + "/f/t/x") == "file_token=ft-configured-value"
        assert http.cookies_for(fake.other_url + "/f/t/x") == ""
        assert http.cookies_for("https://evil.example/f/t/x") == ""
        tasks(http, fake)
        sent = fake.calls("getUserTasks")[0]
        assert sent["cookies"] == {"token_v2": fake.token_v2}
        assert sent["headers"]["x-notion-space-id"] == fake.workspace.space_id


def test_file_token_is_harvested_from_set_cookie():
    with FakeNotion() as fake:
        http = client(fake)
        assert http.file_token == ""
        http.post(fake.api_url, "getTasks", {"taskIds": []})
        assert http.file_token == fake.file_token
        assert http.cookies_for(fake.file_url + "/f/t/x") == f"file_token={fake.file_token}"


def test_host_matching_rules():
    assert host_matches("https://file.notion.so/f/t/a", ["file.notion.so", "file.notion.com"])
    assert host_matches("https://FILE.notion.com:443/x", ["file.notion.com"])
    assert not host_matches("https://file.notion.so.evil.com/x", ["file.notion.so"])
    assert host_matches("http://127.0.0.1:8080/x", ["127.0.0.1:8080"])
    assert not host_matches("http://127.0.0.1:8081/x", ["127.0.0.1:8080"])


def test_unwrap_both_record_wrappings():
    record = {"id": "a", "type": "export-completed"}
    assert unwrap({"value": record, "role": "reader"}) == record
    assert unwrap({"value": {"value": record, "role": "reader"}}) == record
    assert unwrap(record) == record


def test_unreachable_and_malformed_hosts_are_named():
    with FakeNotion() as fake:
        http = client(fake, retries=1)
        with pytest.raises(HostUnreachable, match="127.0.0.1:9 is unreachable .connection refused"):
            http.post("http://127.0.0.1:9", "getTasks", {"taskIds": []})
        with pytest.raises(ExportError, match="NOTION_BASE_URL"):
            http.post("htp//nonsense", "getTasks", {"taskIds": []})
