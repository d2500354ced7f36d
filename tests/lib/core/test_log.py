"""Console output: plain lines for CI logs, a live progress line on a terminal."""
import io
import logging

from lib.core.log import PROGRESS, STEADY_SECONDS, Progress, setup_logging


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


def progress_lines(stream, steps, **kwargs):
    """Drive one Progress through `steps` [(done, total)] with its interval at 0, return the console text."""
    setup_logging(stream=stream)
    bar = Progress(logging.getLogger("download"), "download", every=0, **kwargs)
    for done, total in steps:
        bar.update(done, total)
    logging.getLogger("download").info("complete")
    setup_logging()
    return stream.getvalue()


def test_progress_in_ci_logs_is_one_plain_line_per_interval_with_share_rate_and_eta():
    text = progress_lines(io.StringIO(), [(25e6, 100e6), (50e6, 100e6)])
    lines = text.splitlines()
    assert len(lines) == 3 and "\r" not in text and "[" not in text
    assert "download: 25.0/100.0 MB (25%)" in lines[0] and "MB/s" in lines[0] and "ETA" in lines[0]
    assert "download: 50.0/100.0 MB (50%)" in lines[1] and lines[2].endswith("complete")


def test_progress_on_a_terminal_is_a_live_bar_that_the_next_line_replaces():
    text = progress_lines(Terminal(), [(25e6, 100e6), (100e6, 100e6)])
    assert text.count("\n") == 1 and text.rstrip().endswith("complete")
    assert "\r\033[K[######------------------] " in text and "[########################] " in text


def test_progress_without_a_total_or_with_an_estimate_says_so():
    bar = Progress(logging.getLogger("export"), "export: Notion exporting", None, unit="pages", scale=1)
    assert bar.line(1234, bar.started + 10).startswith("export: Notion exporting: 1,234 pages, 123 pages/s")
    guess = Progress(logging.getLogger("export"), "export", 1000, unit="pages", scale=1, estimate=True)
    line = guess.line(1500, guess.started + 10, note="task t in_progress")
    # The workspace grew past the last snapshot: never "100 %" while Notion still works, never a negative ETA.
    assert "1,500/~1,000 pages (99%)" in line and "ETA" not in line and line.endswith("task t in_progress")
    assert "ETA ~" in guess.line(500, guess.started + 10)


def test_progress_waits_for_its_interval_in_ci_logs():
    stream = io.StringIO()
    setup_logging(stream=stream)
    bar = Progress(logging.getLogger("unpack"), "extracting", 10)
    assert bar.every == STEADY_SECONDS
    assert not bar.update(1) and bar.update(2, force=True)
    setup_logging()
    assert len(stream.getvalue().splitlines()) == 1
