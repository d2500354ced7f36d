"""The one timestamp format everything we write uses."""
import datetime
import time


def now_iso():
    """Return the current UTC time in the one format everything we write uses: 2026-11-30T18:20:42+00:00."""
    return iso_of(time.time())


def iso_of(epoch_seconds):
    """Return a Unix time in that same format."""
    moment = datetime.datetime.fromtimestamp(int(epoch_seconds), datetime.timezone.utc)
    return moment.isoformat(timespec="seconds")
