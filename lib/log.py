"""Logging set-up: one plain line per event on stderr, every line redacted."""
import logging
import sys

from lib.redact import RedactingFilter

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def setup_logging(level=logging.INFO, stream=None):
    """Route all logging to one redacting stderr handler (idempotent)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_notion_backup", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler._notion_backup = True
    handler.setFormatter(logging.Formatter(FORMAT, datefmt="%H:%M:%S"))
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("urllib3", "httpx", "httpcore", "dulwich", "notion_client"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
