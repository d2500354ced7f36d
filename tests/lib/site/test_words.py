"""Plain words: readable dates and counts whose nouns agree."""
import datetime

from hypothesis import given, strategies as st

from lib.site.words import count, when, when_html


def test_dates_read_as_dates():
    assert when("2026-12-07T01:20:00Z") == "7 Dec 2026, 01:20 UTC"
    assert when("2026-12-07T02:20:00+01:00") == "7 Dec 2026, 01:20 UTC"
    assert when("2026-12-07T01:20:00Z", with_time=False) == "7 Dec 2026"
    assert when("run-1") == "run-1" and when(None) == "unknown"
    assert when_html("2026-12-07T01:20:00Z") == '<time datetime="2026-12-07T01:20:00Z">7 Dec 2026, 01:20 UTC</time>'
    assert when_html("<b>") == "&lt;b&gt;"


@given(st.datetimes(min_value=datetime.datetime(1970, 1, 1), timezones=st.just(datetime.timezone.utc)))
def test_any_moment_reads_back(moment):
    text = when(moment.isoformat())
    assert datetime.datetime.strptime(text, "%d %b %Y, %H:%M UTC") == moment.replace(
        second=0, microsecond=0, tzinfo=None)


def test_counts_agree():
    assert count(1, "page") == "1 page" and count(2, "page") == "2 pages" and count(0, "page") == "0 pages"
    assert count(12345, "entry", "entries") == "12,345 entries"
