"""Console output: plain lines for CI logs, a live progress line on a terminal."""
import io
import logging

from lib.log import PROGRESS, setup_logging


class Terminal(io.StringIO):
    def isatty(self):
        return True


def emit(stream):
    setup_logging(stream=stream)
    log = logging.getLogger("download")
    log.info("10 MB of 100 MB", extra=PROGRESS)
    log.info("20 MB of 100 MB", extra=PROGRESS)
    log.info("complete")
    setup_logging()
    return stream.getvalue()


def test_not_a_terminal_gives_one_plain_line_per_event():
    text = emit(io.StringIO())
    assert "\r" not in text and "\033" not in text
    assert len(text.splitlines()) == 3


def test_a_terminal_rewrites_the_progress_line_in_place():
    text = emit(Terminal())
    assert text.count("\n") == 1
    assert "\r\033[K" in text and text.rstrip().endswith("complete")
