"""Logging set-up: one plain line per event on stderr, every line redacted; live progress on a terminal."""
import logging
import shutil
import sys
import time

from lib.core.redact import RedactingFilter

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
# Pass as `extra=PROGRESS` on repeating progress lines (bytes, pages, ETA); Progress does it for you.
PROGRESS = {"progress": True}
STEADY_SECONDS = 10.0   # CI logs: one line per long wait this often, whatever the wait
LIVE_SECONDS = 0.25     # a terminal: the bar moves this often
BAR = 24
_console = []           # the installed ConsoleHandler (a list so setup_logging can replace it)


class ConsoleHandler(logging.StreamHandler):
    """Plain lines when not on a terminal (CI logs); on a terminal progress lines rewrite one live line with a bar."""

    def __init__(self, stream):
        super().__init__(stream)
        self.live = bool(getattr(stream, "isatty", lambda: False)())
        self.pending = False

    def emit(self, record):
        if not self.live:
            return super().emit(record)
        try:
            text = self.format(record)
            if getattr(record, "progress", False):
                fraction = getattr(record, "fraction", None)
                if fraction is not None:
                    filled = round(BAR * min(max(fraction, 0.0), 1.0))
                    text = f"[{'#' * filled}{'-' * (BAR - filled)}] {text}"
                # A line wider than the terminal wraps, and \r would then rewrite only its last row.
                width = shutil.get_terminal_size((120, 20)).columns
                self.stream.write("\r\033[K" + text[:max(width - 1, 20)])
                self.pending = True
            else:
                self.stream.write(("\r\033[K" if self.pending else "") + text + "\n")
                self.pending = False
            self.flush()
        except Exception:  # logging must never take the backup down
            self.handleError(record)


def console_is_live():
    """Return True when the console is a terminal (a live bar), False for CI logs and files."""
    return bool(_console) and _console[0].live


def _amount(value, scale):
    return f"{value / scale:,.1f}" if scale != 1 else f"{value:,.0f}"


class Progress:
    """One long wait a person watches: a line every STEADY_SECONDS in CI logs, a live bar on a terminal.

    `update(done)` is cheap to call as often as work advances; it logs only when the interval has passed.
    `total` may be unknown (None), or an estimate (`estimate=True`: the ETA is marked as approximate).
    """

    def __init__(self, logger, what, total=None, unit="MB", scale=1e6, every=None, start=0, estimate=False):
        self.logger, self.what, self.total, self.unit, self.scale = logger, what, total, unit, scale
        self.every = STEADY_SECONDS if every is None else every
        if console_is_live():
            self.every = min(self.every, LIVE_SECONDS)
        self.started = self.last = time.monotonic()
        self.base, self.estimate = start, estimate

    def update(self, done, total=None, note="", force=False):
        """Report `done` (of `total`, when known); return True when a line was logged."""
        now = time.monotonic()
        if total is not None:
            self.total = total
        if not force and now - self.last < self.every:
            return False
        self.last = now
        self.logger.info("%s", self.line(done, now, note),
                         extra={"progress": True, "fraction": done / self.total if self.total else None})
        return True

    def line(self, done, now, note=""):
        """Return the progress line: amount, share of the total, rate, ETA, elapsed time and a note."""
        elapsed = max(now - self.started, 1e-6)
        rate = (done - self.base) / elapsed
        text = f"{self.what}: {_amount(done, self.scale)}"
        if self.total:
            share = min(100 * done / self.total, 99 if self.estimate else 100)
            text += f"/{'~' if self.estimate else ''}{_amount(self.total, self.scale)} {self.unit} ({share:.0f}%)"
        else:
            text += f" {self.unit}"
        if rate > 0:
            text += f", {_amount(rate, self.scale)} {self.unit}/s"
            if self.total and done < self.total:
                text += f", ETA {'~' if self.estimate else ''}{(self.total - done) / rate:.0f} s"
        text += f", {elapsed:.0f} s elapsed"
        return text + (f", {note}" if note else "")


def setup_logging(level=logging.INFO, stream=None):
    """Route all logging to one redacting stderr handler (idempotent)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_notion_backup", False):
            root.removeHandler(handler)
    handler = ConsoleHandler(stream or sys.stderr)
    handler._notion_backup = True
    handler.setFormatter(logging.Formatter(FORMAT, datefmt="%H:%M:%S"))
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)
    _console[:] = [handler]
    root.setLevel(level)
    for noisy in ("urllib3", "httpx", "httpcore", "dulwich", "notion_client"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
