"""Run reports: per-stage outcomes, failures.json and run_summary.json."""
import datetime
import logging
import time

from lib.fsutil import read_json, write_json_atomic
from lib.redact import redact, redact_data

log = logging.getLogger("report")


def now_iso():
    """Return the current UTC time as an ISO 8601 string."""
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def record_stage(layout, stage, started, outcome, details=None, error=None):
    """Append one stage outcome to the run's stages.json (kept across re-runs of the same run id)."""
    path = layout.run_dir / "stages.json"
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


def record_failure(layout, stage, error, retries=0):
    """Write failures.json naming the stage, error class, message and retry count."""
    failures = read_json(layout.manifests / "failures.json", {})
    entries = [f for f in failures.get("failures", []) if f.get("run_id") == layout.run_id
               and f.get("stage") != stage]
    entries.append({
        "run_id": layout.run_id,
        "stage": stage,
        "error_class": type(error).__name__,
        "message": redact(str(error)),
        "retries": retries,
        "time": now_iso(),
    })
    write_json_atomic(layout.manifests / "failures.json", {"run_id": layout.run_id, "failures": entries})


def clear_failures(layout):
    """Remove failures.json of earlier runs once a run has succeeded end to end."""
    path = layout.manifests / "failures.json"
    if path.exists():
        path.unlink()
