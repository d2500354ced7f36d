"""The Admin API workspace export (Enterprise): one job per run id, polled, every download URL into export.zip."""
import logging
import time
import zipfile

from lib.archive import assemble_parts
from lib.snapshot.counting import previous_pages
from lib.http.resumable import LinkExpired, download
from lib.core.errors import ExportError
from lib.core.fsutil import read_json, remove_tree, write_json_atomic
from lib.core.log import Progress
from lib.public_api.admin_http import AdminApiError, AdminHTTP, download_refusal
from lib.core.redact import redact
from lib.core.clock import now_iso

log = logging.getLogger(__name__)
STATE_VERSION = 1
URL_REFRESHES = 5  # fresh URL sets one run asks for before the file host's refusals count as final
EXPIRY_MARGIN = 5.0  # seconds (clock skew): URLs this close to their expiry are replaced before they are used


class AdminExportFailed(ExportError):
    """Notion's Admin API export job ended `failed`."""


class AdminExportStalled(ExportError):
    """The Admin API export job did not complete within the poll budget."""


class _State:
    """admin_export.json in the run's folder: the job this run id enqueued and how far it got (no URLs)."""

    def __init__(self, path, cfg):
        data = read_json(path) or {}
        wanted = {"version": STATE_VERSION, "space_id": cfg.space_id, "user": cfg["notion.admin_user_email"]}
        if any(data.get(key) != value for key, value in wanted.items()):
            if data:
                log.info("export: %s was written for other settings; starting a new Admin API export", path.name)
            data = dict(wanted, job=None, state="started", created_at=now_iso())
        self.path, self.data = path, data

    def save(self):
        """Write the state atomically."""
        write_json_atomic(self.path, self.data)


def admin_attempt_facts(layout):
    """How hard this run id's Admin API export tried (for failures.json): attempts, HTTP retries, job ids."""
    data = read_json(layout.admin_export_state) or {}
    job = data.get("job") or {}
    return {"attempts": 1 if job else 0, "http_retries": data.get("http_retries", 0),
            "task_ids": [job["id"]] if job else []}


def run_admin_export(cfg, layout):
    """Produce the run's export.zip through the Admin API (resuming its job); return the export manifest."""
    layout.run_dir.mkdir(parents=True, exist_ok=True)
    state = _State(layout.admin_export_state, cfg)
    if layout.export_zip.exists() and state.data.get("state") == "done":
        log.info("export: %s is already complete for this run; nothing to do", layout.export_zip)
        return state.data["manifest"]
    started, http = time.monotonic(), AdminHTTP.for_config(cfg)
    try:
        job = _enqueue_once(http, cfg, state)
        answer = _poll(http, cfg, state, job, previous_pages(layout))
        paths = _download_all(http, state, answer, layout.admin_downloads, lambda: _status(http, cfg, job))
        try:
            parts = assemble_parts(layout.export_zip, paths, f"Export-{job['id']}")
        except zipfile.BadZipFile as exc:  # passed the download's checks, yet unreadable: fetch them again
            remove_tree(layout.admin_downloads)
            raise ExportError(f"a downloaded part of the Admin API export is not a readable ZIP ({exc})",
                              hint="re-run the export stage (the job's files are downloaded again)") from None
    finally:
        state.data["http_retries"] = state.data.get("http_retries", 0) + http.retries_used
        state.save()
        http.close()
    manifest = {"strategy": "admin_api", "mode": "workspace", "space_id": cfg.space_id, "job_id": job["id"],
                "task_ids": [job["id"]], "attempts": 1, "pages_exported": job.get("pages_exported"),
                "polls": job.get("polls"), "urls": len(paths), "parts": parts,
                "downloads": [state.data["downloads"][str(n)] for n in range(1, len(paths) + 1)],
                "url_refreshes": state.data.get("url_refreshes", 0), "bytes": layout.export_zip.stat().st_size,
                "final_zip_file_size_bytes": answer.get("final_zip_file_size_bytes"),
                "duration_seconds": round(time.monotonic() - started, 3), "http_retries": state.data["http_retries"],
                "layout": "Part-N per download URL", "finished_at": now_iso()}
    state.data.update(state="done", manifest=manifest, finished_at=now_iso())
    state.save()
    remove_tree(layout.admin_downloads)
    return manifest


def export_request(cfg):
    """The body of POST /v1/exports: the whole workspace as Markdown + CSV, like Settings -> Export."""
    return {"export_type": "markdown", "space_id": cfg.space_id,
            "on_behalf_of_user_email": cfg["notion.admin_user_email"], "collection_view_export_type": "all",
            "include_contents": "everything", "include_comments": bool(cfg["export.include_comments"]),
            "flatten_export_filetree": False, "locale": "en", "time_zone": cfg["export.time_zone"]}


def _enqueue_once(http, cfg, state):
    """Return this run id's job: the one an earlier run enqueued, else a new one (saved before anything else)."""
    job = state.data.get("job")
    if job and job.get("status") == "failed":
        raise AdminExportFailed(f"{job['error']} (recorded earlier for this run id; no second export is enqueued)",
                                hint="set a new BACKUP_RUN_ID to try a fresh Admin API export")
    if job:
        log.info("export: resuming Admin API export job %s from an earlier run; no new export enqueued", job["id"])
        return job
    enqueued = time.time()
    answer = http.call("POST", "v1/exports", body=export_request(cfg))
    job_id = answer.get("task_id") or answer.get("export_job_id")
    if not job_id:
        raise AdminApiError(f"Admin API POST /v1/exports answered without a task_id: {redact(str(answer)[:200])}",
                            hint="check NOTION_ADMIN_API_BASE_URL")
    job = state.data["job"] = {"id": job_id, "enqueued_at": enqueued, "status": answer.get("status") or "in_progress",
                               "polls": 0}
    state.save()
    log.info("export: Admin API export job %s enqueued", job_id)
    return job


def _status(http, cfg, job):
    return http.call("GET", f"v1/exports/{job['id']}", query={"space_id": cfg.space_id})


def _poll(http, cfg, state, job, expected_pages=None):
    """Poll the job (doubling waits, capped) until its URLs are there; raise on `failed` or past the budget."""
    interval = cfg["export.poll_interval_seconds"]
    cap, budget = 16 * interval, cfg["export.poll_timeout_seconds"]
    polls, seen = 0, None
    progress = Progress(log, "export: Notion exporting", expected_pages, unit="pages", scale=1, estimate=True)
    while True:
        answer = _status(http, cfg, job)
        polls += 1
        status, pages = answer.get("status"), answer.get("pages_exported")
        job.update(status=status, pages_exported=pages, polls=job.get("polls", 0) + 1)
        if status != seen:
            seen = status
            log.info("export: Admin API export job %s is %s (%s pages exported)", job["id"], status, pages)
            state.save()
        if status == "failed":
            job["error"] = redact(f"Notion's Admin API export job {job['id']} failed: "
                                  f"{answer.get('error_type') or 'no error type'}: "
                                  f"{answer.get('error_message') or 'no error message'}")
            state.save()
            raise AdminExportFailed(job["error"], hint="check that NOTION_ADMIN_USER_EMAIL may export the workspace")
        if status == "completed" and answer.get("download_urls"):
            return answer
        if status not in ("in_progress", "completed"):
            raise AdminApiError(f"Notion's Admin API export job {job['id']} is in unknown state {status!r}",
                                hint="re-run; report it if it persists")
        waited = time.time() - job["enqueued_at"]  # the budget counts from the enqueue, across resumed runs
        if waited > budget:
            what = "completed without download URLs" if status == "completed" else f"stayed {status}"
            raise AdminExportStalled(f"Notion's Admin API export job {job['id']} {what} with {pages} pages exported "
                                     f"within {budget:.0f} s of its enqueue ({polls} polls in this run)",
                                     hint="raise OFFICIAL_WORKSPACE_POLL_TIMEOUT_SECONDS")
        progress.update(pages or 0, note=f"Admin API export job {job['id']} {status}, "
                                         f"timeout in {budget - waited:.0f} s")
        time.sleep(interval)
        interval = min(2 * interval, cap)


def _expiring(answer):
    """True when the answer's URLs expire within the margin (url_expires_at in epoch seconds or milliseconds)."""
    expires = answer.get("url_expires_at")
    if not isinstance(expires, (int, float)):
        return False
    return (expires / 1000 if expires > 1e11 else expires) < time.time() + EXPIRY_MARGIN


def _download_all(http, state, answer, folder, fresh_status):
    """Download every URL of a completed job to folder/part-N.zip (resumable); return the paths in URL order."""
    count = len(answer["download_urls"])
    if state.data.get("parts") != count:
        remove_tree(folder)  # files of an answer with another number of URLs: not parts of this one
        state.data.update(parts=count, downloads={})
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"part-{n}.zip" for n in range(1, count + 1)]
    refreshes = 0

    def refresh(reason):
        nonlocal refreshes
        refreshes += 1
        if refreshes > URL_REFRESHES:
            raise ExportError(f"download: {reason}, and {URL_REFRESHES} fresh sets of URLs did not help",
                              hint="re-run the export stage later (the job resumes)")
        log.warning("export: %s; asking the status endpoint for fresh download URLs", reason)
        fresh = fresh_status()
        if fresh.get("status") != "completed" or len(fresh.get("download_urls") or []) != count:
            raise ExportError(f"the Admin API export changed while downloading ({fresh.get('status')}, "
                              f"{len(fresh.get('download_urls') or [])} URLs instead of {count})",
                              hint="re-run the export stage")
        return fresh

    for index, path in enumerate(paths):
        if path.exists():  # appears only through os.replace after the checks: complete
            log.info("export: download %d of %d already complete", index + 1, count)
            continue
        while True:
            if _expiring(answer):
                answer = refresh(f"the download URLs expire at {answer['url_expires_at']} (url_expires_at)")
            try:
                facts = download(http, answer["download_urls"][index], path, download_refusal)
                break
            except LinkExpired as exc:
                answer = refresh(f"download {index + 1} of {count} was refused ({exc.args[0]})")
        state.data["downloads"][str(index + 1)] = facts
        state.data["url_refreshes"] = state.data.get("url_refreshes", 0) + refreshes
        refreshes = 0
        state.save()
    return paths
