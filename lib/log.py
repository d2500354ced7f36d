"""Logging set-up: one plain line per event on stderr, every line redacted; live progress on a terminal."""
import logging
import sys

from lib.redact import RedactingFilter

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
# Pass as `extra=PROGRESS` on repeating progress lines (bytes, pages, ETA).
PROGRESS = {"progress": True}


class ConsoleHandler(logging.StreamHandler):
    """Plain lines when not on a terminal (CI logs); on a terminal progress lines rewrite one live line."""

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
                self.stream.write("\r\033[K" + text)
                self.pending = True
            else:
                self.stream.write(("\r\033[K" if self.pending else "") + text + "\n")
                self.pending = False
            self.flush()
        except Exception:  # logging must never take the backup down
            self.handleError(record)


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
    root.setLevel(level)
    for noisy in ("urllib3", "httpx", "httpcore", "dulwich", "notion_client"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
