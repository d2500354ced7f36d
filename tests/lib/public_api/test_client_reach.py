"""The public-API client gives an unreachable host one short budget and names it; a busy API keeps its backoff."""
import socket

import pytest

from lib.public_api.client import ApiUnreachable, NotionApi
from tests.fakes.notion_public import FakeNotionPublic, api_settings


def closed_port():
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_refused_connection_gives_up_within_the_budget_naming_the_host():
    with FakeNotionPublic(extra_pages=0, tasks=1) as fake:
        port = closed_port()
        api = NotionApi(api_settings(fake, NOTION_API_BASE_URL=f"http://127.0.0.1:{port}", NOTION_API_MAX_RETRIES=8,
                                     NOTION_API_BACKOFF_SECONDS=0.4, NOTION_API_BACKOFF_MAX_SECONDS=0.4,
                                     NOTION_CONNECT_BUDGET_SECONDS=1))
        with pytest.raises(ApiUnreachable, match=f"127.0.0.1:{port} is unreachable .connection refused"):
            api.request("GET", "users/me")
        assert api.stats["retries"] < 8, "the budget ended the retries, not the count meant for a busy API"


def test_a_busy_api_keeps_its_backoff_beyond_the_connect_budget():
    with FakeNotionPublic(extra_pages=0, tasks=1) as fake:
        fake.faults.errors = [(503, "service_unavailable")] * 3
        api = NotionApi(api_settings(fake, NOTION_CONNECT_BUDGET_SECONDS=1, NOTION_API_BACKOFF_SECONDS=0.5,
                                     NOTION_API_BACKOFF_MAX_SECONDS=0.5))
        assert api.request("GET", "users/me")["type"] == "bot"
        assert api.stats["retries"] == 3
