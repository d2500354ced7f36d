"""The one retry policy of every HTTP client: Retry-After, capped exponential backoff with jitter, deadline, counts."""
import logging
import random
import re
import time
from dataclasses import dataclass
from datetime import timezone
from email.utils import parsedate_to_datetime

import requests

from lib.core.errors import ExportError
from lib.core.redact import redact
from lib.http.reachability import Reachability

log = logging.getLogger(__name__)
DELTA_SECONDS = re.compile(r"\s*(\d{1,12}(?:\.\d{1,6})?)\s*")  # RFC 9110 says digits; Notion's stand-ins send 0.3
TRANSIENT = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)
TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})  # every API retries these; each may add its own
LONG_WAIT = 30.0  # a wait this long is worth a warning even where retries are routine


def retry_after_seconds(value, now=None):
    """Seconds a `Retry-After` value asks to wait: delta-seconds or an HTTP date (past: 0); None for anything else."""
    if value is None:
        return None
    text = str(value)
    match = DELTA_SECONDS.fullmatch(text)
    if match:
        return float(match.group(1))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:  # `-0000` is UTC with no claim about local time (RFC 5322 3.3)
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


@dataclass(frozen=True)
class RetryPolicy:
    """How one client retries: how often, how long each wait (doubling from `base` up to `cap`), and for how long.

    `deadline` bounds the seconds one request may spend retrying, counted from its first failure (None: only the
    count bounds it). A server's Retry-After replaces the backoff, up to `retry_after_max` (never below `cap`).
    `jitter` is the share of each backoff drawn at random, so that clients which failed together do not retry
    together.
    """

    retries: int = 8
    base: float = 1.0
    cap: float = 60.0
    deadline: float | None = None
    retry_after_max: float = 300.0
    jitter: float = 0.5

    def delay(self, attempt, retry_after=None, limit=None, draw=random.random):
        """Seconds to wait before retry `attempt` (1 = the first retry); `limit` caps the backoff, not Retry-After."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), max(self.cap, self.retry_after_max))
        pause = min(self.cap, self.base * 2 ** min(attempt - 1, 60))
        pause -= pause * self.jitter * draw()
        return pause if limit is None else min(pause, max(limit, 0.0))


class RetriesSpent(ExportError):
    """A request kept failing until its retries or its deadline were spent."""


class Retrier:
    """Waits between one client's attempts as its policy says, counts every retry, and owns the connect budget.

    `exhausted(what, reason, attempts, why)` builds the error raised once retries are spent (`why` is empty, or
    says the deadline ended them); `on_retry(what, attempt, delay, reason)` hooks see every retry (so do the
    counts in failures.json).
    """

    def __init__(self, policy, hint="", connect_budget=30.0, exhausted=None, on_retry=(), level=logging.WARNING,
                 sleep=time.sleep, clock=time.monotonic):
        self.policy, self.hint, self.level = policy, hint, level
        self.reach = Reachability(connect_budget)
        self.exhausted = exhausted or self._exhausted
        self.hooks = list(on_retry)
        self.count = 0
        self.sleep, self.clock = sleep, clock
        self._first_failure = (None, 0.0)  # (what, when): the request now being retried and its first failure

    def _exhausted(self, what, reason, attempts, why):
        return RetriesSpent(f"{what}: gave up after {attempts - 1} retries{why}, last answer: {redact(reason)}",
                            hint=self.hint)

    def wait(self, what, attempt, reason, retry_after=None, limit=None):
        """Sleep before retry `attempt` of `what`, saying why; raise once the retries or the deadline are spent."""
        policy, now = self.policy, self.clock()
        if attempt <= 1 or self._first_failure[0] != what:
            self._first_failure = (what, now)
        if attempt > policy.retries:
            raise self.exhausted(what, reason, attempt, "")
        delay = policy.delay(attempt, retry_after, limit)
        spent = now - self._first_failure[1]
        if policy.deadline is not None and spent + delay > policy.deadline:
            raise self.exhausted(what, reason, attempt, f" in {spent:.0f} s (a wait of {delay:.0f} s more would "
                                                        f"pass the {policy.deadline:.0f} s deadline)")
        log.log(max(self.level, logging.WARNING) if delay > LONG_WAIT else self.level,
                "retrying %s: %s; retry %d/%d in %.1f s", what, redact(reason), attempt, policy.retries, delay)
        self.count += 1
        for hook in self.hooks:
            hook(what, attempt, delay, reason)
        self.sleep(delay)

    def after_failure(self, failure, attempt, hint):
        """Wait after a connection-level failure; a host nobody can connect to gets only the connect budget.

        `failure` is (what was asked, whose host, host, exception), as Reachability.judge takes it.
        """
        reason, left = self.reach.judge(failure, attempt, self.policy.retries, hint)
        self.wait(failure[0], attempt, reason, limit=left)

    def answered(self, host):
        """Record that `host` gave an HTTP answer (the connect budget starts again)."""
        self.reach.answered(host)


def response_retry_after(headers):
    """The wait a response's headers ask for (Retry-After), or None."""
    return retry_after_seconds((headers or {}).get("Retry-After"))


def export_policy(cfg):
    """The policy of the export's clients (cookie export, Admin API): the OFFICIAL_EXPORT_* settings."""
    return RetryPolicy(retries=cfg["export.http_retries"], base=cfg["export.retry_backoff_seconds"],
                       cap=cfg["export.retry_backoff_max_seconds"])


def capture_policy(cfg):
    """The policy of the public-API client: the NOTION_API_* settings."""
    return RetryPolicy(retries=cfg["capture.max_retries"], base=cfg["capture.backoff_seconds"],
                       cap=cfg["capture.backoff_max_seconds"])
