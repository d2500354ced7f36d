"""Shared helpers for the export tests: settings pointing at a FakeNotion, and secret-leak checks."""
import json
import logging
from pathlib import Path
from urllib.parse import parse_qs

from lib.config import load_config
from lib.core.layout import Layout

RUN_ID = "run"


def export_env(fake, file_token=True, **env):
    """The environment aimed at `fake`, with intervals small enough for tests; `env` adds or overrides variables."""
    values = {"NATIVE_EXPORT_TOKEN_V2": fake.token_v2, "NATIVE_EXPORT_FILE_TOKEN": fake.file_token if file_token else "",
              "NOTION_SPACE_ID": fake.workspace.space_id, "NOTION_BASE_URL": fake.api_url,
              "NOTION_NOTIFICATION_BASE_URLS": f"{fake.api_url},{fake.app_url}", "NOTION_FILE_HOSTS": fake.file_host,
              "OFFICIAL_WORKSPACE_POLL_INTERVAL_SECONDS": 0.01, "OFFICIAL_WORKSPACE_NOTIFICATION_INTERVAL_SECONDS": 0.01,
              "OFFICIAL_EXPORT_RETRY_BACKOFF_SECONDS": 0.01, "OFFICIAL_EXPORT_RETRY_BACKOFF_MAX_SECONDS": 0.05,
              "OFFICIAL_WORKSPACE_POLL_TIMEOUT_SECONDS": 30, "OFFICIAL_EXPORT_HTTP_TIMEOUT_SECONDS": 10,
              "OFFICIAL_EXPORT_HTTP_RETRIES": 4, "BACKUP_RUN_ID": RUN_ID}
    values.update(env)
    return {key: str(value) for key, value in values.items()}


def export_setup(fake, root, file_token=True, **env):
    """(Config, Layout) of run RUN_ID in project `root`, aimed at `fake` (see export_env)."""
    cfg = load_config(root, export_env(fake, file_token, **env))
    return cfg, Layout.for_config(cfg)


def run_layout(root):
    """The Layout export_setup gives for project `root`, for looking at the files a run left."""
    return Layout(root=root, backups=root / "backups", run_id=RUN_ID)


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
