"""The export stage: Notion's official export ZIP, enqueued, polled, downloaded and resumable."""
import json
import logging
import time

from lib.archive import write_stored_wrapper
from lib.snapshot.counting import previous_pages
from lib.core.errors import ConfigError, ExportError
from lib.core.fsutil import read_json, remove_tree, write_json_atomic
from lib.core.ids import parse_page_ids
from lib.notion.file_download import LinkExpired, download, partial_of
from lib.notion.export_tasks import (ExportStalled, RetryableFailure, enqueue, existing_export_activities, mark_read,
                                     poll_for_link)
from lib.notion.http import NotionHTTP, netloc
from lib.core.clock import now_iso

log = logging.getLogger(__name__)
STATE_VERSION = 1
# Attempt states after which a re-run enqueues a fresh task instead of resuming the old one.
FINISHED = ("failure", "retryable_failure", "link_expired", "stalled")


def root_ids(cfg, layout):
    """Roots mode: the configured roots (environment or config), else backups/manifests/roots.json; [] otherwise."""
    if cfg["export.mode"] != "roots":
        return []
    if cfg["export.root_page_ids"]:
        return cfg["export.root_page_ids"]
    try:
        data = json.loads(layout.roots.read_text(encoding="utf-8"))
    except FileNotFoundError:
        data = []
    except ValueError as exc:
        raise ConfigError([f"{layout.roots}: not valid JSON ({exc})"]) from None
    # accepted shapes: ["id or url", ...], {"root_page_ids"|"roots": [...]}, entries as strings or {"id"|"url": ...}
    items = (data.get("root_page_ids") or data.get("roots") or []) if isinstance(data, dict) else data
    texts = [item if isinstance(item, str) else str(item.get("id") or item.get("url") or "")
             for item in items if isinstance(item, (str, dict))]
    roots = parse_page_ids(",".join(text for text in texts if text), str(layout.roots))
    if not roots:
        raise ConfigError(["OFFICIAL_EXPORT_MODE is 'roots' but no root page ids were given: set "
                           "OFFICIAL_EXPORT_ROOT_PAGE_IDS or backups/manifests/roots.json"])
    return roots


class _State:
    """export.json: what was enqueued and how far each job got, saved atomically after every change."""

    def __init__(self, path, cfg, roots):
        self.path = path
        data = read_json(path) or {}
        wanted = {"version": STATE_VERSION, "mode": cfg["export.mode"], "space_id": cfg.space_id, "root_ids": roots}
        if any(data.get(k) != v for k, v in wanted.items()):
            if data:
                log.info("export: %s was written for other settings; starting a new export", path.name)
            data = dict(wanted, jobs={}, state="started", created_at=now_iso())
        self.data = data
        # Tasks already in the file were enqueued by an earlier run: their links may have expired since.
        self.earlier_tasks = {a["task_id"] for j in data["jobs"].values() for a in j.get("attempts", [])}

    def job(self, key):
        """The record of one export job (the workspace, or one root), created on first use."""
        return self.data["jobs"].setdefault(key, {"attempts": [], "state": "pending"})

    def save(self):
        """Write export.json atomically."""
        write_json_atomic(self.path, self.data)


def attempt_facts(layout):
    """How hard this run id's export tried (for failures.json): attempts, HTTP retries, task ids; no secrets."""
    data = read_json(layout.export_state) or {}
    attempts = [a for job in data.get("jobs", {}).values() for a in job.get("attempts", [])]
    return {"attempts": len(attempts), "http_retries": data.get("http_retries", 0),
            "task_ids": [a["task_id"] for a in attempts]}


def run_export(cfg, layout):
    """Produce the run's export.zip from Notion (resuming its export.json); return the export manifest."""
    roots = root_ids(cfg, layout)
    layout.run_dir.mkdir(parents=True, exist_ok=True)
    target = layout.export_zip
    state = _State(layout.export_state, cfg, roots)
    if target.exists() and state.data.get("state") == "done" and state.data.get("manifest"):
        log.info("export: %s is already complete for this run; nothing to do", target)
        return state.data["manifest"]
    started = time.monotonic()
    http = NotionHTTP.for_config(cfg)
    downloads = layout.run_dir / "roots"
    if roots:
        keys = [(root, root, downloads / f"{root}.zip") for root in roots]
    else:
        keys = [("workspace", None, target)]
    try:
        for key, root_id, dest in keys:
            job = state.job(key)
            if dest.exists() and job["state"] in ("downloading", "done"):
                # dest only ever appears through os.replace after the checks, so it is complete
                log.info("export: %s already downloaded", key)
                job["state"] = "done"
                continue
            # Notion counts pages as it exports: against the last snapshot's pages that is a share and an ETA.
            _run_job(http, cfg, state, job, root_id, dest, None if roots else previous_pages(layout))
    finally:
        state.data["http_retries"] = state.data.get("http_retries", 0) + http.retries_used
        state.save()
    if roots:
        _write_roots_wrapper(target, [(root, downloads / f"{root}.zip") for root in roots])
    manifest = _manifest(cfg, state, http, target, time.monotonic() - started)
    state.data.update(state="done", manifest=manifest, finished_at=now_iso())
    state.save()
    remove_tree(downloads)
    return manifest


def _run_job(http, cfg, state, job, root_id, dest, expected_pages=None):
    """Enqueue (or resume) one export task, wait for its link and download it to `dest`."""
    label = "workspace" if root_id is None else f"root {root_id}"
    while True:
        attempts = job["attempts"]
        attempt = attempts[-1] if attempts and attempts[-1]["state"] not in FINISHED else None
        if attempt is None:
            before = existing_export_activities(http, cfg)
            task_id, enqueued_ms = enqueue(http, cfg, root_id)
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
            link, source, note, facts = poll_for_link(http, cfg, attempt["task_id"], attempt["enqueued_at_ms"],
                                                      on_state, exclude=used, expected_pages=expected_pages)
        except RetryableFailure as exc:
            attempt.update(state="retryable_failure", error=str(exc))
            state.save()
            failed = sum(1 for a in attempts if a["state"] == "retryable_failure")
            if failed > cfg["export.retryable_failure_retries"]:
                raise ExportError(f"{exc}; {failed} attempt(s) ended retryable_failure",
                                  hint="raise OFFICIAL_WORKSPACE_RETRYABLE_FAILURE_RETRIES or re-run later") from None
            log.warning("export: %s; enqueueing a fresh task (retry %d/%d)", exc, failed,
                        cfg["export.retryable_failure_retries"])
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
            partial_of(dest).unlink(missing_ok=True)
            state.save()
            continue
        if note and cfg["export.mark_notification_read"] and note[1]:
            mark_read(http, cfg, note[0], note[1])
        attempt["state"] = "downloaded"
        job["state"] = "done"
        state.save()
        return


def _write_roots_wrapper(target, zips):
    """Write export.zip holding each root's downloaded export as Root-<rootid>.zip (stored)."""
    write_stored_wrapper(target, [(f"Root-{root}.zip", path.stat().st_size, lambda path=path: open(path, "rb"))
                                  for root, path in zips])


def _manifest(cfg, state, http, target, seconds):
    """The dict saved as backups/manifests/workspace_export.json (no secrets, no signed URLs)."""
    jobs = []
    for key, job in state.data["jobs"].items():
        last = job["attempts"][-1] if job["attempts"] else {}
        jobs.append({"root_id": None if key == "workspace" else key,
                     "task_ids": [a["task_id"] for a in job["attempts"]], "attempts": len(job["attempts"]),
                     "link_source": job.get("link_source"), "link_host": job.get("link_host"),
                     "poll": last.get("poll"), "download": job.get("download")})
    return {"strategy": "api", "mode": cfg["export.mode"], "space_id": cfg.space_id,
            "task_ids": [t for j in jobs for t in j["task_ids"]], "attempts": sum(j["attempts"] for j in jobs),
            "jobs": jobs, "bytes": target.stat().st_size, "duration_seconds": round(seconds, 3),
            "http_retries": http.retries_used, "file_token": "harvested" if http.harvested_file_token else
            ("configured" if http.configured_file_token else "none"),
            "layout": "notion-wrapper" if cfg["export.mode"] == "workspace" else "Root-<rootid>.zip per root",
            "finished_at": now_iso()}
