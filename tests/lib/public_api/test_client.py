"""Tests for the throttled, retrying public-API client against the loopback stand-in."""
import logging
from pathlib import Path

import pytest

from lib.core.errors import AuthError, ConfigError
from lib.public_api.client import NotionApi, NotionApiError, NotionSkipped
from tests.fakes.notion_public import FakeNotionPublic, api_settings
from tests.harness import config_for


@pytest.fixture
def fake():
    with FakeNotionPublic(extra_pages=0, tasks=3) as server:
        yield server


def make_api(fake, **extra):
    return NotionApi(api_settings(fake, **extra))


def test_retry_after_is_honoured_on_429(fake):
    fake.faults.storm, fake.faults.storm_retry_after = 2, 1
    api = make_api(fake)
    page = api.request("GET", f"pages/{fake.ids['home']}")
    assert page["id"] == fake.ids["home"]
    times = [r["time"] for r in fake.requests]
    assert [r["status"] for r in fake.requests] == [429, 429, 200]
    assert times[1] - times[0] >= 0.95 and times[2] - times[1] >= 0.95
    assert api.stats["rate_limited"] == 2


def test_gateway_errors_overload_and_plain_429_are_retried(fake):
    fake.faults.errors = [(502, "bad_gateway"), (529, "service_overload"), (504, "gateway_timeout"),
                          (503, "database_connection_unavailable")]
    api = make_api(fake)
    assert api.request("POST", "search", body={})["object"] == "list"
    fake.faults.storm, fake.faults.storm_plain = 1, True
    assert api.request("GET", "users/me")["type"] == "bot"
    assert [r["status"] for r in fake.requests] == [502, 529, 504, 503, 200, 429, 200]


def test_persistent_failure_raises_a_named_error(fake):
    fake.faults.errors = [(503, "service_unavailable")] * 10
    api = make_api(fake, NOTION_API_MAX_RETRIES=2)
    with pytest.raises(NotionApiError, match="still failing after 3 attempts"):
        api.request("GET", "users/me")
    assert fake.count() == 3


def test_validation_errors_are_not_retried(fake):
    api = make_api(fake)
    with pytest.raises(NotionApiError, match="validation_error"):
        api.request("PATCH", f"blocks/{fake.ids['home']}/children",
                    body={"children": [{"paragraph": {"rich_text": [{"text": {"content": "x" * 2001}}]}}]})
    assert fake.count() == 1


def test_unshared_object_is_skipped_and_recorded(fake):
    api = make_api(fake)
    private = fake.store.parent_of(fake.ids["orphan"])
    with pytest.raises(NotionSkipped):
        api.request("GET", f"pages/{private}", skip_missing=True)
    assert api.skipped == [{"path": f"pages/{private}", "code": "object_not_found"}]


def test_bad_token_is_an_auth_error_without_the_token(fake):
    api = make_api(fake, NOTION_API_KEY="ntn_wrong_token_value_123456")
    with pytest.raises(AuthError) as caught:
        api.request("GET", "users/me")
    assert "ntn_wrong_token_value_123456" not in str(caught.value)
    assert "NOTION_API_KEY" in str(caught.value)


def test_missing_key_is_a_config_error(fake):
    with pytest.raises(ConfigError, match="NOTION_API_KEY"):
        NotionApi(config_for({"NOTION_API_BASE_URL": fake.base_url}))


def test_rate_limiter_spaces_requests(fake):
    api = make_api(fake, NOTION_API_REQUESTS_PER_SECOND=20)
    for _ in range(6):
        api.request("GET", "users/me")
    times = [r["time"] for r in fake.requests]
    assert times[-1] - times[0] >= 5 / 20 * 0.95


def test_pagination_follows_short_pages(fake):
    fake.faults.short_pages = 2
    api = make_api(fake)
    everything = list(api.paginate("POST", "search", body={}))
    fake.faults.short_pages = 0
    assert len(everything) == len(list(api.paginate("POST", "search", body={})))
    assert len({r["id"] for r in everything}) == len(everything) > 10


def test_token_never_reaches_the_logs(fake, caplog):
    caplog.set_level(logging.DEBUG)
    fake.faults.errors = [(502, "bad_gateway")]
    api = make_api(fake)
    api.request("GET", "users/me")
    api.progress(force=True)
    assert fake.token not in caplog.text
    assert "retrying GET /v1/users/me" in caplog.text


def test_settings_come_from_the_project_config_and_environment(fake):
    from lib.config import load_config
    root = Path(__file__).resolve().parents[3]
    cfg = load_config(root, {"NOTION_API_KEY": fake.token, "NOTION_API_BASE_URL": fake.base_url,
                             "NOTION_API_REQUESTS_PER_SECOND": "50"})
    api = NotionApi(cfg)
    assert cfg["capture.requests_per_second"] == 50.0
    assert api.version == "2025-09-03" and api.max_retries == 8
    assert api.request("GET", "users/me")["type"] == "bot"
