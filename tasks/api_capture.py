"""api_capture and json_capture: structured JSON of the workspace through the public API."""
import datetime
import logging

from lib.core.fsutil import read_json, write_json_atomic
from lib.public_api import capture_workspace
from lib.run import record_failure
from lib.core.redact import redact
from tasks import stage_action

log = logging.getLogger("api_capture")


def capture(cfg, layout):
    """Capture (incrementally) into backups/json and record the summary."""
    summary = capture_workspace(cfg, layout.json)
    write_json_atomic(layout.api_capture, dict(summary, run_id=layout.run_id))
    return summary


def capture_policy(cfg):
    """Return off, daily or weekly: `auto` means weekly when NOTION_API_KEY is set."""
    policy = cfg["capture.json_capture"]
    if policy == "auto":
        return "weekly" if cfg.secret("NOTION_API_KEY") else "off"
    return policy


def capture_is_due(cfg, layout):
    """Return an uptodate check following NOTION_JSON_CAPTURE (True = nothing to do now)."""
    def check():
        policy = capture_policy(cfg)
        if policy == "off":
            return True
        last = read_json(layout.api_capture)
        if not last:
            return False
        if policy == "daily":
            return last.get("run_id") == layout.run_id
        captured = read_json(layout.capture_index, {}).get("captured_at", "")
        try:
            when = datetime.datetime.fromisoformat(captured)
        except ValueError:
            return False
        return datetime.datetime.now(datetime.timezone.utc) - when < datetime.timedelta(days=7)
    return check


def scheduled_capture(cfg, layout):
    """The daily run's capture: a failure is reported but never costs the day's snapshot."""
    try:
        return capture(cfg, layout)
    except Exception as error:  # the official export is the backup; the JSON is a bonus
        log.error("public-API capture failed, the snapshot is published without new JSON: %s", redact(str(error)))
        record_failure(layout, "json_capture", error)
        return {"failed": True}


def api_capture_tasks(cfg, layout):
    """Manual: `doit api_capture` captures now, whatever NOTION_JSON_CAPTURE says."""
    return {"actions": [stage_action(layout, "api_capture", lambda: capture(cfg, layout))],
            "uptodate": [False], "verbosity": 2}


def json_capture_tasks(cfg, layout):
    """In the daily run, between render and publish, when NOTION_JSON_CAPTURE makes it due."""
    return {"actions": [stage_action(layout, "json_capture", lambda: scheduled_capture(cfg, layout))],
            "uptodate": [capture_is_due(cfg, layout)], "verbosity": 2}
