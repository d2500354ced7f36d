"""Run reports: per-stage outcomes, failures.json and run_summary.json."""
import logging
import time

from lib.core.clock import now_iso
from lib.core.fsutil import read_json, write_json_atomic
from lib.core.redact import redact, redact_data

log = logging.getLogger("report")


def record_stage(path, stage, started, outcome, details=None, error=None):
    """Add one stage outcome (done, refused, failed, error, config) to the stages file at `path` (kept across re-runs)."""
    stages = read_json(path, {})
    stages[stage] = {
        "outcome": outcome,
        "seconds": round(time.monotonic() - started, 3),
        "finished": now_iso(),
        "details": redact_data(details or {}),
    }
    if error is not None:
        stages[stage]["error"] = {"class": type(error).__name__, "message": redact(str(error))}
    write_json_atomic(path, stages)


def record_failure(layout, stage, error, detail=None):
    """Write failures.json naming the stage, error class, message and retry count.

    `detail` is what the stage reports of its attempts ({attempts, http_retries, task_ids}), or None.
    """
    retries = 0
    if detail is not None:
        retries = int(detail.get("http_retries", 0)) + max(int(detail.get("attempts", 1)) - 1, 0)
    failures = read_json(layout.failures, {})
    entries = [f for f in failures.get("failures", []) if f.get("run_id") == layout.run_id
               and f.get("stage") != stage]
    entries.append({
        "run_id": layout.run_id,
        "stage": stage,
        "error_class": type(error).__name__,
        "message": redact(str(error)),
        "retries": retries,
        "retry_detail": detail,
        "time": now_iso(),
    })
    write_json_atomic(layout.failures, {"run_id": layout.run_id, "failures": entries})


def clear_failures(layout):
    """Remove failures.json of earlier runs once a run has succeeded end to end."""
    layout.failures.unlink(missing_ok=True)
