"""The export stage: Notion's official export ZIP, enqueued, polled, downloaded and resumable."""
import logging
import os
import time
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from lib.errors import BackupError, ConfigError, ExportError
from lib.fsutil import read_json, remove_tree, write_json_atomic
from lib.notion.download import CHUNK, LinkExpired, download
from lib.notion.http import NotionHTTP, netloc
from lib.notion.ids import parse_page_ids, parse_space_id, resolve_root_ids
from lib.notion.export_tasks import (ExportStalled, RetryableFailure, enqueue, existing_export_activities, mark_read,
                              poll_for_link)
from lib.redact import register_secret

__all__ = ["ExportSettings", "run_export", "parse_space_id", "parse_page_ids", "resolve_root_ids", "ExportStalled"]
log = logging.getLogger(__name__)
STATE_VERSION = 1
# Attempt states after which a re-run enqueues a fresh task instead of resuming the old one.
FINISHED = ("failure", "retryable_failure", "link_expired", "stalled")


@dataclass
class ExportSettings:
    """Everything the export stage needs; names follow the environment variables in ARCHITECTURE.md."""

    token_v2: str
    file_token: str
    space_id: str
    mode: str = "workspace"
    root_ids: list = field(default_factory=list)
    base_url: str = "https://www.notion.so"
    notification_base_urls: list = field(default_factory=lambda: ["https://www.notion.so", "https://app.notion.com"])
    file_hosts: list = field(default_factory=lambda: ["file.notion.so", "file.notion.com"])
    time_zone: str = "UTC"
    export_comments: bool = False
    retryable_failure_retries: int = 1
    poll_timeout_seconds: float = 10800
    poll_interval_seconds: float = 2.0
    notification_interval_seconds: float = 5.0
    clock_skew_seconds: float = 30
    http_timeout_seconds: float = 60
    max_http_retries: int = 8
    mark_notification_read: bool = True
    retry_backoff_seconds: float = 1.0
    retry_backoff_max_seconds: float = 60.0


def _now_iso():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _check(settings):
    if not settings.token_v2:
        raise ConfigError(["NATIVE_EXPORT_TOKEN_V2 is empty: copy the token_v2 cookie (README: Refreshing cookies)"])
    settings.space_id = parse_space_id(settings.space_id)
    if settings.mode not in ("workspace", "roots"):
        raise ConfigError([f"OFFICIAL_EXPORT_MODE: {settings.mode!r} is not 'workspace' or 'roots'"])
    if settings.mode == "roots":
        settings.root_ids = parse_page_ids(",".join(settings.root_ids))
        if not settings.root_ids:
            raise ConfigError(["OFFICIAL_EXPORT_MODE is 'roots' but no root page ids were given: set "
                               "OFFICIAL_EXPORT_ROOT_PAGE_IDS or backups/manifests/roots.json"])


class _State:
    """export.json: what was enqueued and how far each job got, saved atomically after every change."""

    def __init__(self, path, settings):
        self.path = path
        data = read_json(path) or {}
        wanted = {"version": STATE_VERSION, "mode": settings.mode, "space_id": settings.space_id,
                  "root_ids": settings.root_ids if settings.mode == "roots" else []}
        if any(data.get(k) != v for k, v in wanted.items()):
            if data:
                log.info("export: %s was written for other settings; starting a new export", path.name)
            data = dict(wanted, jobs={}, state="started", created_at=_now_iso())
        self.data = data
        # Tasks already in the file were enqueued by an earlier run: their links may have expired since.
        self.earlier_tasks = {a["task_id"] for j in data["jobs"].values() for a in j.get("attempts", [])}

    def job(self, key):
        return self.data["jobs"].setdefault(key, {"attempts": [], "state": "pending"})

    def save(self):
        write_json_atomic(self.path, self.data)


def run_export(settings, run_dir):
    """Produce run_dir/export.zip from Notion (resuming run_dir/export.json); return the export manifest."""
    _check(settings)
    register_secret(settings.token_v2)
    register_secret(settings.file_token)
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    target = run_dir / "export.zip"
    state = _State(run_dir / "export.json", settings)
    if target.exists() and state.data.get("state") == "done" and state.data.get("manifest"):
        log.info("export: %s is already complete for this run; nothing to do", target)
        return state.data["manifest"]
    started = time.monotonic()
    api_urls = [settings.base_url, *settings.notification_base_urls]
    http = NotionHTTP(settings.token_v2, settings.file_token, settings.space_id, api_urls, settings.file_hosts,
                      timeout=settings.http_timeout_seconds, max_retries=settings.max_http_retries,
                      backoff=settings.retry_backoff_seconds, backoff_max=settings.retry_backoff_max_seconds)
    if settings.mode == "workspace":
        keys = [("workspace", None, target)]
    else:
        keys = [(root, root, run_dir / "roots" / f"{root}.zip") for root in settings.root_ids]
    for key, root_id, dest in keys:
        job = state.job(key)
        if dest.exists() and job["state"] in ("downloading", "done"):
            # dest only ever appears through os.replace after the checks, so it is complete
            log.info("export: %s already downloaded", key)
            job["state"] = "done"
            continue
        try:
            _run_job(http, settings, state, job, root_id, dest)
        except BackupError as exc:
            # for failures.json: how hard we tried, without secrets
            exc.retries = {"attempts": len(job["attempts"]), "http_retries": http.retries_used,
                           "task_ids": [a["task_id"] for a in job["attempts"]]}
            raise
    if settings.mode == "roots":
        _write_roots_wrapper(target, [(root, run_dir / "roots" / f"{root}.zip") for root in settings.root_ids])
    manifest = _manifest(settings, state, http, target, time.monotonic() - started)
    state.data.update(state="done", manifest=manifest, finished_at=_now_iso())
    state.save()
    if settings.mode == "roots":
        remove_tree(run_dir / "roots")
    return manifest


def _run_job(http, settings, state, job, root_id, dest):
    """Enqueue (or resume) one export task, wait for its link and download it to `dest`."""
    label = "workspace" if root_id is None else f"root {root_id}"
    while True:
        attempts = job["attempts"]
        attempt = attempts[-1] if attempts and attempts[-1]["state"] not in FINISHED else None
        if attempt is None:
            before = existing_export_activities(http, settings)
            task_id, enqueued_ms = enqueue(http, settings, root_id)
            attempt = {"task_id": task_id, "enqueued_at_ms": enqueued_ms, "state": "enqueued",
                       "earlier_activity_ids": before}
            attempts.append(attempt)
            job["state"] = "polling"
            state.save()
        else:
            log.info("export: resuming Notion task %s (%s) from an earlier run; no new export enqueued",
                     attempt["task_id"], label)

        def on_state(task_state, pages, attempt=attempt):
            attempt.update(state=task_state or "queued", pages_exported=pages)
            state.save()
        try:
            used = {a["activity_id"] for a in attempts if a.get("activity_id") and a is not attempt}
            used.update(attempt.get("earlier_activity_ids") or [])
            link, source, note, facts = poll_for_link(http, settings, attempt["task_id"], attempt["enqueued_at_ms"],
                                                      on_state, exclude=used)
        except RetryableFailure as exc:
            attempt.update(state="retryable_failure", error=str(exc))
            state.save()
            failed = sum(1 for a in attempts if a["state"] == "retryable_failure")
            if failed > settings.retryable_failure_retries:
                raise ExportError(f"{exc}; {failed} attempt(s) ended retryable_failure",
                                  hint="raise OFFICIAL_WORKSPACE_RETRYABLE_FAILURE_RETRIES or re-run later") from None
            log.warning("export: %s; enqueueing a fresh task (retry %d/%d)", exc, failed,
                        settings.retryable_failure_retries)
            continue
        except ExportStalled as exc:
            attempt.update(state="stalled", error=str(exc))
            state.save()
            raise
        attempt.update(state="link", link_source=source, link_host=netloc(link), poll=facts,
                       activity_id=note[2] if note else None)
        job.update(state="downloading", link_source=source, link_host=netloc(link))
        state.save()
        log.info("export: link found via %s after %d polls; downloading from %s", source, facts["polls"], netloc(link))
        try:
            job["download"] = download(http, link, dest)
        except LinkExpired as exc:
            if attempt["task_id"] not in state.earlier_tasks:
                raise
            log.warning("export: %s; the task came from an earlier run, so enqueueing a fresh export", exc)
            attempt.update(state="link_expired", error=str(exc))
            state.earlier_tasks.discard(attempt["task_id"])
            dest.with_name(dest.name + ".part").unlink(missing_ok=True)
            state.save()
            continue
        if note and settings.mark_notification_read and note[1]:
            mark_read(http, settings, note[0], note[1])
        attempt["state"] = "downloaded"
        job["state"] = "done"
        state.save()
        return


def _write_roots_wrapper(target, zips):
    """Write export.zip holding each root's downloaded export as Root-<rootid>.zip (stored)."""
    tmp = target.with_name(target.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED, allowZip64=True) as wrapper:
        for root, path in zips:
            info = zipfile.ZipInfo(f"Root-{root}.zip", (2026, 1, 1, 0, 0, 0))
            info.file_size = path.stat().st_size
            big = info.file_size > zipfile.ZIP64_LIMIT
            with open(path, "rb") as src, wrapper.open(info, "w", force_zip64=big) as out:
                for block in iter(lambda: src.read(CHUNK), b""):
                    out.write(block)
    os.replace(tmp, target)


def _manifest(settings, state, http, target, seconds):
    """The dict saved as backups/manifests/workspace_export.json (no secrets, no signed URLs)."""
    jobs = []
    for key, job in state.data["jobs"].items():
        last = job["attempts"][-1] if job["attempts"] else {}
        jobs.append({"root_id": None if key == "workspace" else key,
                     "task_ids": [a["task_id"] for a in job["attempts"]], "attempts": len(job["attempts"]),
                     "link_source": job.get("link_source"), "link_host": job.get("link_host"),
                     "poll": last.get("poll"), "download": job.get("download")})
    return {"strategy": "api", "mode": settings.mode, "space_id": settings.space_id,
            "task_ids": [t for j in jobs for t in j["task_ids"]], "attempts": sum(j["attempts"] for j in jobs),
            "jobs": jobs, "bytes": target.stat().st_size, "duration_seconds": round(seconds, 3),
            "http_retries": http.retries_used, "file_token": "harvested" if http.harvested_file_token else
            ("configured" if http.configured_file_token else "none"),
            "layout": "notion-wrapper" if settings.mode == "workspace" else "Root-<rootid>.zip per root",
            "finished_at": _now_iso()}
