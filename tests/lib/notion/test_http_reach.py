"""A Notion host nobody can connect to costs one short budget and is named; 429 and 5xx keep their backoff."""
import socket

import pytest

from lib.notion import run_export
from lib.notion.http import HostUnreachable, NotionHTTP, netloc
from lib.http.reachability import Reachability
from lib.http.retry import RetryPolicy
from tests.fakes.notion_internal import FakeNotion
from tests.lib.notion.export_support import capture, export_setup


def closed_port():
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def client(fake, budget, retries=8, backoff=0.2):
    # No jitter: the budget arithmetic below (so many waits of `backoff` outlast the budget) needs exact waits.
    return NotionHTTP(fake.token_v2, "", fake.workspace.space_id, [fake.api_url], [fake.file_host],
                      timeout=5.0, policy=RetryPolicy(retries, backoff, backoff, jitter=0), connect_budget=budget)


def test_a_refused_connection_gives_up_within_the_budget_naming_the_host(caplog):
    capture(caplog)
    with FakeNotion() as fake:
        http = client(fake, budget=1.0)
        dead = f"http://127.0.0.1:{closed_port()}"
        with pytest.raises(HostUnreachable) as caught:
            http.post(dead, "enqueueTask", {})
        message = str(caught.value)
        assert netloc(dead) in message and "connection refused" in message
        # The budget ended the retries, not the retry count meant for a busy Notion.
        assert http.retries_used < 8


def test_a_failed_dns_lookup_is_named():
    with FakeNotion() as fake:
        with pytest.raises(HostUnreachable, match="no-such-host.invalid is unreachable .DNS lookup failed"):
            client(fake, budget=0.5, retries=2).post("https://no-such-host.invalid", "getTasks", {})


@pytest.mark.parametrize("fault", [{"gateway_error": 4}, {"rate_limit": 4, "retry_after": None}])
def test_answers_with_429_and_5xx_keep_their_backoff_beyond_the_budget(fault):
    with FakeNotion(**fault) as fake:
        http = client(fake, budget=0.01, backoff=0.05)  # four waits of 0.05 s outlast a budget of 0.01 s
        assert http.post(fake.api_url, "getUserTasks", {"spaceId": fake.workspace.space_id}) == {"taskIds": []}
        assert http.retries_used == 4


def test_with_every_host_down_the_run_spends_one_budget_not_one_per_host():
    now = [0.0]
    reach = Reachability(30.0, clock=lambda: now[0])
    assert reach.failed("www") == (0.0, 30.0)
    now[0] = 30.0
    assert reach.failed("www") == (30.0, 0.0)
    assert reach.failed("app") == (30.0, 0.0), "a second dead host gets no fresh budget"
    reach.answered("www")
    now[0] = 40.0
    assert reach.failed("www") == (0.0, 30.0), "an answer starts the count again"
    assert reach.failed("app") == (10.0, 20.0), "app has failed since 30 s with no answer from it"


def test_an_unreachable_notification_host_is_skipped_when_another_answers(tmp_path, caplog):
    capture(caplog)
    with FakeNotion(empty_feed_on_api=True) as fake:
        dead = f"http://127.0.0.1:{closed_port()}"
        cfg, layout = export_setup(fake, tmp_path, NOTION_NOTIFICATION_BASE_URLS=f"{dead},{fake.app_url}",
                                   NOTION_CONNECT_BUDGET_SECONDS=1)
        manifest = run_export(cfg, layout)
        assert manifest["jobs"][0]["link_source"] == "notification" and layout.export_zip.exists()
        assert f"skipping the notification feed on {netloc(dead)}" in caplog.text


def test_a_file_host_nobody_can_connect_to_ends_the_download_within_the_budget(tmp_path):
    from lib.notion.file_download import download
    with FakeNotion() as fake:
        http = client(fake, budget=1.0)
        dead = f"http://127.0.0.1:{closed_port()}/f/t/export.zip"
        with pytest.raises(HostUnreachable, match=f"{netloc(dead)} is unreachable .connection refused.*download"):
            download(http, dead, tmp_path / "export.zip")
        assert http.retries_used < 8
