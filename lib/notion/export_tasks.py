"""Notion export tasks: enqueue, poll getTasks, and find the link (status, child task, notifications)."""
import logging
import time
import uuid

from lib.core.errors import ExportError
from lib.core.log import Progress
from lib.notion.http import HostUnreachable, netloc, unwrap
from lib.core.redact import redact

log = logging.getLogger(__name__)
URL_KEYS = ("exportURL", "exportUrl", "export_url", "url", "signedUrl")
KNOWN_STATES = {None, "not_started", "in_progress", "success", "failure", "retryable_failure"}


class ExportStalled(ExportError):
    """Notion's export never produced a link in time (stuck in_progress, or success without a link)."""


class RetryableFailure(ExportError):
    """The task ended `retryable_failure`: a fresh task may succeed."""


def export_request(cfg, root_id=None):
    """Return the enqueueTask body for the whole space or for one root page."""
    options = {"exportType": "markdown", "timeZone": cfg["export.time_zone"], "locale": "en",
               "collectionViewExportType": "all"}
    request = {"shouldExportComments": bool(cfg["export.include_comments"]), "exportOptions": options, "recursive": True}
    if root_id is None:
        request["spaceId"] = cfg.space_id
        return {"task": {"eventName": "exportSpace", "request": request}}
    request["block"] = {"id": root_id, "spaceId": cfg.space_id}
    return {"task": {"eventName": "exportBlock", "request": request}}


def enqueue(http, cfg, root_id=None):
    """Start a Notion export task; return (task_id, enqueue time in epoch ms)."""
    started_ms = int(time.time() * 1000)
    answer = http.post(cfg["notion.base_url"], "enqueueTask", export_request(cfg, root_id))
    task_id = answer.get("taskId")
    if not task_id:
        raise ExportError(f"Notion enqueueTask answered without a taskId: {redact(str(answer)[:200])}",
                          hint="check NOTION_SPACE_ID")
    log.info("export: Notion task %s enqueued (%s)", task_id, "workspace" if root_id is None else f"root {root_id}")
    return task_id, started_ms


def _status_link(task):
    status = task.get("status") if isinstance(task.get("status"), dict) else {}
    for source in (status, task):
        for key in URL_KEYS:
            if isinstance(source.get(key), str) and source[key].startswith("http"):
                return source[key]
    return None


def _get_task(http, cfg, task_id):
    answer = http.post(cfg["notion.base_url"], "getTasks", {"taskIds": [task_id]})
    results = [unwrap(t) for t in answer.get("results") or [] if isinstance(unwrap(t), dict)]
    for task in results:
        if task.get("id") == task_id:
            return task
    # a lone record without an id can only be ours
    return results[0] if len(results) == 1 and "id" not in results[0] else {}


def child_task_link(http, cfg, task_id):
    """Return the exportURL of a finished partitionedExportSpace child of `task_id`, if any."""
    ids = http.post(cfg["notion.base_url"], "getUserTasks", {"spaceId": cfg.space_id}).get("taskIds") or []
    ids = [i for i in ids if isinstance(i, str) and i != task_id]
    if not ids:
        return None
    answer = http.post(cfg["notion.base_url"], "getTasks", {"taskIds": ids})
    for task in map(unwrap, answer.get("results") or []):
        root = (task.get("rootRequest") or {}).get("requestId")
        if task.get("eventName") == "partitionedExportSpace" and root == task_id and task.get("state") == "success":
            return _status_link(task)
    return None


def _start_ms(value):
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def notification_link(http, cfg, enqueued_ms, exclude=()):
    """Return (link, host url, notification id, activity id) of the newest matching export-completed activity."""
    floor = enqueued_ms - int(cfg["export.clock_skew_seconds"] * 1000)
    body = {"spaceId": cfg.space_id, "size": 20, "type": "unread_and_read", "variant": "no_grouping"}
    hosts, down = cfg["notion.notification_base_urls"], []
    for base in hosts:
        try:
            answer = http.post(base, "getNotificationLogV2", body)
        except HostUnreachable as exc:  # another host may still carry the notification; all down ends the run
            down.append(exc)
            if len(down) == len(hosts):
                raise
            log.warning("export: skipping the notification feed on %s: %s", netloc(base), exc)
            continue
        record_map = answer.get("recordMap") or {}
        activities = {k: unwrap(v) for k, v in (record_map.get("activity") or {}).items()}
        notes = {unwrap(v).get("activity_id"): k for k, v in (record_map.get("notification") or {}).items()
                 if isinstance(unwrap(v), dict)}
        best, pending = None, False
        for act_id, act in activities.items():
            if not isinstance(act, dict) or act.get("type") != "export-completed" or act.get("id", act_id) in exclude:
                continue
            if act.get("space_id") not in (None, cfg.space_id):
                continue
            start = _start_ms(act.get("start_time"))
            if start is None or start < floor:
                continue
            edits = act.get("edits") or [{}]
            link = edits[0].get("link") if isinstance(edits[0], dict) else None
            if not link:
                pending = True
                continue
            if best is None or start > best[0]:
                best = (start, link, notes.get(act.get("id", act_id)), act.get("id", act_id))
        if best:
            return best[1], base, best[2], best[3]
        if pending:
            log.info("export: notification on %s exists but its link is not filled in yet", netloc(base))
        elif not activities:
            log.info("export: notification feed on %s is empty", netloc(base))
    return None


def existing_export_activities(http, cfg):
    """Ids of export-completed activities already in the feeds, so an export finished before ours is never taken."""
    body = {"spaceId": cfg.space_id, "size": 20, "type": "unread_and_read", "variant": "no_grouping"}
    ids = set()
    for base in cfg["notion.notification_base_urls"]:
        try:
            answer = http.post(base, "getNotificationLogV2", body)
        except (ExportError, HostUnreachable) as exc:  # only a safety net: the time window still filters old exports
            log.warning("export: could not read the notification feed on %s before enqueueing: %s", netloc(base), exc)
            continue
        for act_id, act in ((answer.get("recordMap") or {}).get("activity") or {}).items():
            act = unwrap(act)
            if isinstance(act, dict) and act.get("type") == "export-completed":
                ids.add(act.get("id", act_id))
    return sorted(ids)


def mark_read(http, cfg, base, notification_id):
    """Mark the export notification read so daily runs do not pile them up (failures only logged)."""
    op = {"command": "update", "pointer": {"table": "notification", "id": notification_id,
                                           "spaceId": cfg.space_id}, "path": [], "args": {"read": True}}
    body = {"requestId": str(uuid.uuid4()), "transactions": [{"id": str(uuid.uuid4()), "spaceId": cfg.space_id,
                                                            "operations": [op]}]}
    try:
        http.post(base, "saveTransactionsMain", body)
        log.info("export: notification %s marked read", notification_id)
    except (ExportError, HostUnreachable) as exc:
        log.warning("export: could not mark the notification read: %s", exc)


def poll_for_link(http, cfg, task_id, enqueued_ms, on_state=None, exclude=(), expected_pages=None):
    """Poll until the task's link appears; return (link, source, notification, facts) or raise.

    `expected_pages` (the previous snapshot's) turns Notion's page count into a share and an ETA in progress lines.
    """
    # A notification is only trusted once getTasks says success (or no longer lists the task), so an
    # export that finished just before ours is not taken for ours; `exclude` lists activity ids used before.
    started = time.monotonic()
    last_slow, polls, success_at, pages, state = float("-inf"), 0, None, None, None
    progress = Progress(log, "export: Notion exporting", expected_pages, unit="pages", scale=1, estimate=True)
    while True:
        task = _get_task(http, cfg, task_id)
        polls += 1
        new_state = task.get("state")
        status = task.get("status") if isinstance(task.get("status"), dict) else {}
        pages = status.get("pagesExported", status.get("exportedCount", pages))
        if new_state != state:
            state = new_state
            log.info("export: task %s is %s", task_id, state or "queued (no state yet)")
            if on_state:
                on_state(state, pages)
        elapsed = time.monotonic() - started
        facts = {"polls": polls, "poll_seconds": round(elapsed, 3), "pages_exported": pages, "state": state,
                 "seconds_to_success": None if success_at is None else round(success_at - started, 3)}
        if state == "failure":
            raise ExportError(f"Notion export task {task_id} failed: "
                              f"{redact(str(task.get('error') or 'no error text'))}",
                              hint="check NOTION_SPACE_ID / root page ids and that the account can export")
        if state == "retryable_failure":
            raise RetryableFailure(f"Notion export task {task_id} ended retryable_failure: "
                                   f"{redact(str(task.get('error') or 'no error text'))}")
        if state not in KNOWN_STATES:
            raise ExportError(f"Notion export task {task_id} is in unknown state {state!r}",
                              hint="re-run; report it if it persists")
        link = _status_link(task)
        if link:
            return link, "status", None, facts
        if state == "success" and success_at is None:
            success_at = time.monotonic()
            facts["seconds_to_success"] = round(success_at - started, 3)
        vanished = state is None and polls > 5
        if (state in ("in_progress", "success") or vanished) and \
                time.monotonic() - last_slow >= cfg["export.notification_interval_seconds"]:
            last_slow = time.monotonic()
            found = notification_link(http, cfg, enqueued_ms, exclude) if state != "in_progress" else None
            if found:
                return found[0], "notification", found[1:], facts
            link = child_task_link(http, cfg, task_id)
            if link:
                return link, "child_task", None, facts
        waited = time.time() - enqueued_ms / 1000  # the budget counts from the enqueue, across resumed runs
        if waited > cfg["export.poll_timeout_seconds"]:
            what = ("reached success but no download link appeared" if state == "success" else
                    f"stayed {state or 'queued'} with {pages} pages exported")
            raise ExportStalled(f"Notion export task {task_id} {what} within {cfg['export.poll_timeout_seconds']:.0f} s "
                                f"of its enqueue ({polls} polls in this run)",
                                hint="raise OFFICIAL_WORKSPACE_POLL_TIMEOUT_SECONDS or use the UI fallback")
        progress.update(pages or 0, note=f"task {task_id} {state or 'queued'}, "
                                         f"timeout in {cfg['export.poll_timeout_seconds'] - waited:.0f} s")
        time.sleep(cfg["export.poll_interval_seconds"])
