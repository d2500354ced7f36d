"""Failure alerts through apprise; an unreachable alert target is a warning, never a failed backup."""
import json
import logging
import subprocess
from pathlib import Path
import sys

from lib.core.redact import redact, register_secret

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


def send_alert_at_exit(urls, title, body, timeout=60):
    """Send an alert from a child process: interpreter shutdown forbids the threads apprise uses."""
    if not urls:
        return False
    payload = json.dumps({"urls": list(urls), "title": title, "body": body})
    try:
        done = subprocess.run([sys.executable, "-m", "lib.run.notify"], input=payload, text=True, timeout=timeout,
                              capture_output=True, cwd=_project_root())
    except (OSError, subprocess.TimeoutExpired) as error:
        log.warning("could not send the alert: %s", redact(str(error)))
        return False
    for line in done.stderr.splitlines():
        log.warning("%s", redact(line))
    return done.returncode == 0


def _project_root():
    return str(Path(__file__).resolve().parents[2])  # lib/run/notify.py: the folder that holds lib/


if __name__ == "__main__":
    request = json.load(sys.stdin)
    for url in request["urls"]:
        register_secret(url)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    sys.exit(0 if send_alert(request["urls"], request["title"], request["body"]) else 1)
