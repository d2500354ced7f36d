"""Plain words on the site's pages: dates a person reads at a glance and counts whose nouns agree."""
import datetime
import html

MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def parse_time(value):
    """Return the aware UTC datetime of an ISO 8601 string (a trailing 'Z' allowed), or None."""
    try:
        moment = datetime.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc)


def when(value, with_time=True):
    """Return an ISO time as '7 Dec 2026, 01:20 UTC' ('7 Dec 2026' without the time); other text as given."""
    moment = parse_time(value) if value else None
    if moment is None:
        return str(value) if value else "unknown"
    day = "%d %s %d" % (moment.day, MONTHS[moment.month - 1], moment.year)
    return day + moment.strftime(", %H:%M UTC") if with_time else day


def when_html(value, with_time=True):
    """Return `when` as a <time> element whose datetime attribute keeps the exact ISO value."""
    if parse_time(value) is None:
        return html.escape(when(value, with_time))
    return '<time datetime="%s">%s</time>' % (html.escape(str(value)), html.escape(when(value, with_time)))


def count(n, noun, plural=None):
    """Return '1 page', '2 pages', '1,000 pages': the noun agrees with the number."""
    return "{:,} {}".format(n, noun if n == 1 else plural or noun + "s")
