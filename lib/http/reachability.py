"""How long a host may stay unreachable before a run gives up: a short budget, not the 429/5xx backoff."""
import time

from lib.core.errors import BackupError


class HostUnreachable(BackupError):
    """A host could not be connected to (refused, DNS, connect timeout) for the whole connect budget.

    Not an ExportError: the browser fallback would only reach for the same unreachable host.
    """


class Reachability:
    """Connection-level failures (refused, DNS, connect timeout) per host, counted since the host last answered.

    A host is given up once it has failed for `budget` seconds, or once every host has failed for that long
    since any of them last answered: a run with the network down ends within one budget, however many hosts
    it would ask. Any HTTP answer, even a 429 or a 503, proves the host reachable.
    """

    def __init__(self, budget, clock=time.monotonic):
        self.budget, self.clock = budget, clock
        self.down_since = {}
        self.all_down_since = None

    def answered(self, host):
        """Record that `host` gave an HTTP answer."""
        self.down_since.pop(host, None)
        self.all_down_since = None

    def failed(self, host):
        """Record a connection failure of `host`; return (seconds it has been unreachable, seconds of budget left)."""
        now = self.clock()
        since = self.down_since.setdefault(host, now)
        if self.all_down_since is None:
            self.all_down_since = now
        down = max(now - since, now - self.all_down_since)
        return down, max(self.budget - down, 0.0)

    def judge(self, failure, attempt, max_retries, hint):
        """After a failed request: (reason, longest wait) for the next retry; HostUnreachable once it is over.

        `failure` is (what was asked, whose host, host, exception). A reset or read timeout means the host is
        there: the caller keeps its ordinary backoff (no cap).
        """
        what, whose, host, exc = failure
        kind = connect_failure_kind(exc)
        if kind is None:
            return f"{type(exc).__name__} (network error or timeout)", None
        down, left = self.failed(host)
        if left <= 0 or attempt > max_retries:
            raise HostUnreachable(f"{whose} host {host} is unreachable ({kind}) for {down:.0f} s, asked for {what} "
                                  f"({attempt} attempt{'s' if attempt != 1 else ''} this time)", hint=hint)
        return f"{kind} at {host}", left


def connect_failure_kind(exc):
    """Name what kept a connection from being made ('DNS lookup failed', ...) from an exception chain, or None."""
    seen = 0
    while exc is not None and seen < 8:
        name = type(exc).__name__
        if name == "NameResolutionError" or "Name or service not known" in str(exc) or \
                "nodename nor servname" in str(exc) or "Temporary failure in name resolution" in str(exc):
            return "DNS lookup failed"
        if isinstance(exc, ConnectionRefusedError) or "Connection refused" in str(exc):
            return "connection refused"
        if name in ("ConnectTimeoutError", "ConnectTimeout"):
            return "connect timeout"
        if name in ("NewConnectionError", "ConnectError"):
            return "no connection"
        exc = getattr(exc, "reason", None) or exc.__cause__ or exc.__context__ or (
            exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None)
        seen += 1
    return None
