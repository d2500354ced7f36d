"""The one retry policy: Retry-After in both spellings, capped backoff with jitter, the deadline, the retry count."""
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from lib.http.retry import RetriesSpent, Retrier, RetryPolicy, retry_after_seconds

NOW = 1_800_000_000.0  # a fixed "now" (2027-01-15) so that every expected delay is exact
EARLIEST, LATEST = datetime(1971, 1, 1), datetime(9999, 12, 31, 23, 59, 59)


@given(st.integers(min_value=0, max_value=10 ** 12 - 1))
def test_any_delta_seconds_is_that_many_seconds(seconds):
    assert retry_after_seconds(str(seconds), now=NOW) == seconds
    assert retry_after_seconds(f" {seconds} ", now=NOW) == seconds


@given(st.datetimes(min_value=EARLIEST, max_value=LATEST, timezones=st.just(timezone.utc)).map(
    lambda moment: moment.replace(microsecond=0)))
def test_any_http_date_is_the_time_left_until_it(moment):
    delay = retry_after_seconds(format_datetime(moment, usegmt=True), now=NOW)
    assert delay == max(0.0, moment.timestamp() - NOW)


@given(st.integers(min_value=0, max_value=10 ** 9))
def test_a_past_http_date_means_no_wait(seconds_ago):
    past = datetime.fromtimestamp(NOW, timezone.utc) - timedelta(seconds=seconds_ago)
    assert retry_after_seconds(format_datetime(past, usegmt=True), now=NOW) == 0.0


@given(st.text().filter(lambda text: not any(ch.isdigit() for ch in text)))
@example("-1")
@example("1e3")
@example("inf")
@example("nan")
@example("1.5.2")
@example("0x10")
@example("Wed, 32 Foo 2026 25:61:00 GMT")
@example("Fri, 31 Dec 99999 23:59:59 GMT")
def test_garbage_is_none(text):
    assert retry_after_seconds(text, now=NOW) is None


def test_no_header_is_none():
    assert retry_after_seconds(None) is None


POLICIES = st.builds(RetryPolicy, retries=st.integers(0, 20), base=st.floats(0, 100), cap=st.floats(0, 3600),
                     retry_after_max=st.floats(0, 3600), jitter=st.floats(0, 1))


@given(POLICIES, st.integers(1, 200), st.floats(0, 1, exclude_max=True))
def test_backoff_doubles_within_the_cap_and_jitter_only_shortens_it(policy, attempt, draw):
    full = min(policy.cap, policy.base * 2 ** min(attempt - 1, 60))
    delay = policy.delay(attempt, draw=lambda: draw)
    assert full * (1 - policy.jitter) - 1e-9 <= delay <= full


@given(POLICIES, st.integers(1, 20), st.floats(0, 10 ** 6), st.floats(0, 100))
def test_retry_after_wins_up_to_its_bound_and_a_limit_caps_only_the_backoff(policy, attempt, asked, limit):
    assert policy.delay(attempt, retry_after=asked) == min(asked, max(policy.cap, policy.retry_after_max))
    assert policy.delay(attempt, limit=limit) <= limit


class Clock:
    """Time that passes only when the retrier sleeps (the Retrier takes its clock and sleep as arguments)."""

    def __init__(self):
        self.now, self.slept = 0.0, []

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def test_retries_are_counted_hooked_and_bounded():
    clock, seen = Clock(), []
    retrier = Retrier(RetryPolicy(retries=3, base=1, cap=60, jitter=0), hint="re-run later",
                      on_retry=[lambda *args: seen.append(args)], sleep=clock.sleep, clock=lambda: clock.now)
    for attempt in (1, 2, 3):
        retrier.wait("Notion getTasks", attempt, "HTTP 503")
    assert clock.slept == [1, 2, 4] and retrier.count == 3
    assert seen == [("Notion getTasks", 1, 1, "HTTP 503"), ("Notion getTasks", 2, 2, "HTTP 503"),
                    ("Notion getTasks", 3, 4, "HTTP 503")]
    with pytest.raises(RetriesSpent, match=r"Notion getTasks: gave up after 3 retries, last answer: HTTP 503 "
                                           r"\(re-run later\)"):
        retrier.wait("Notion getTasks", 4, "HTTP 503")
    assert retrier.count == 3, "a retry that is not made is not counted"


def test_the_deadline_ends_retries_before_a_wait_that_would_pass_it():
    clock = Clock()
    retrier = Retrier(RetryPolicy(retries=100, base=10, cap=10, deadline=25, jitter=0), sleep=clock.sleep,
                      clock=lambda: clock.now)
    retrier.wait("LFS upload", 1, "HTTP 503")
    retrier.wait("LFS upload", 2, "HTTP 503")
    with pytest.raises(RetriesSpent, match=r"gave up after 2 retries in 20 s .a wait of 10 s more would pass the "
                                           r"25 s deadline"):
        retrier.wait("LFS upload", 3, "HTTP 503")
    retrier.wait("LFS batch", 1, "HTTP 503")  # another request starts its own deadline
    assert clock.slept == [10, 10, 10]


def test_a_retry_after_beyond_the_deadline_gives_up_at_once():
    clock = Clock()
    retrier = Retrier(RetryPolicy(deadline=60), sleep=clock.sleep, clock=lambda: clock.now)
    with pytest.raises(RetriesSpent, match="gave up after 0 retries"):
        retrier.wait("Admin API GET /v1/exports", 1, "rate limited (429)", retry_after=120)
    assert clock.slept == []


def test_an_own_error_for_spent_retries(caplog):
    def spent(what, reason, attempts, why):
        return LookupError(f"{what} still failing after {attempts} attempts{why} (last: {reason})")

    retrier = Retrier(RetryPolicy(retries=1, base=0), exhausted=spent, sleep=lambda _: None)
    retrier.wait("GET /v1/users/me", 1, "HTTP 502 bad_gateway")
    assert "retrying GET /v1/users/me: HTTP 502 bad_gateway; retry 1/1 in 0.0 s" in caplog.text
    with pytest.raises(LookupError, match=r"still failing after 2 attempts \(last: HTTP 502"):
        retrier.wait("GET /v1/users/me", 2, "HTTP 502 bad_gateway")
