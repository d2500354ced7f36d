"""Failure alerts through apprise; an unreachable alert target is a warning, never a failed backup."""
import logging

from lib.core.redact import redact

log = logging.getLogger("notify")


def send_alert(urls, title, body):
    """Send one alert to every apprise URL; return True when at least one target accepted it."""
    if not urls:
        return False
    try:
        import apprise  # here, not at the top: most runs never alert, and apprise takes a while to import
    except ImportError:  # pragma: no cover - apprise is a pinned requirement
        log.warning("alerts are configured but apprise is not installed")
        return False
    sender = apprise.Apprise()
    for url in urls:
        if not sender.add(url):
            log.warning("alert target not understood by apprise: %s", redact(url.split("://", 1)[0] + "://..."))
    if not len(sender):
        return False
    try:
        delivered = sender.notify(title=redact(title), body=redact(body))
    except Exception as error:  # an alert must never turn a backup into a failure
        log.warning("could not send the alert: %s", redact(str(error)))
        return False
    if not delivered:
        log.warning("no alert target accepted the alert (check BACKUP_NOTIFY_URLS)")
    return bool(delivered)
