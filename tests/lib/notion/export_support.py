"""Shared helpers for the export tests: settings pointing at a FakeNotion, and secret-leak checks."""
import json
import logging
from pathlib import Path
from urllib.parse import parse_qs

from lib.notion.export import ExportSettings


def settings_for(fake, file_token=True, **overrides):
    """ExportSettings aimed at `fake`, with intervals small enough for tests."""
    values = dict(token_v2=fake.token_v2, file_token=fake.file_token if file_token else "",
                  space_id=fake.workspace.space_id, base_url=fake.api_url,
                  notification_base_urls=[fake.api_url, fake.app_url], file_hosts=[fake.file_host],
                  poll_interval_seconds=0.01, notification_interval_seconds=0.01, retry_backoff_seconds=0.01,
                  retry_backoff_max_seconds=0.05, poll_timeout_seconds=30, http_timeout_seconds=10, max_http_retries=4)
    values.update(overrides)
    return ExportSettings(**values)


def secrets_of(fake):
    """Every secret value a leak check must look for: both cookies and every link signature seen."""
    values = {fake.token_v2, fake.file_token}
    for request in fake.requests:
        values.update(parse_qs(request["query"]).get("signature", []))
    return {v for v in values if v}


def assert_no_secrets(fake, *texts, run_dir=None, caplog=None):
    """Fail when any secret appears in the texts, the run directory's JSON files or the captured logs."""
    corpus = [t if isinstance(t, str) else json.dumps(t) for t in texts]
    if run_dir is not None:
        corpus += [p.read_text() for p in Path(run_dir).rglob("*.json")]
    if caplog is not None:
        corpus.append(caplog.text)
        corpus += [str(r.exc_info[1]) for r in caplog.records if r.exc_info]
    for secret in secrets_of(fake):
        for text in corpus:
            assert secret not in text, f"secret {secret[:6]}... leaked"


def capture(caplog):
    """Capture every lib log line (urllib3's own debug lines are the logging setup's job to redact)."""
    caplog.set_level(logging.DEBUG, logger="lib")
    return caplog
