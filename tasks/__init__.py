"""Stage modules; each yields doit task dicts. STAGES is the canonical order of a backup run."""
import logging
import time

from doit.exceptions import TaskFailed

from lib.errors import BackupError, GateRefused
from lib.redact import redact
from lib.report import record_failure, record_stage

STAGES = ("pull", "export", "unpack", "shard_expand", "count", "gate", "promote", "render", "publish")
# A plain `doit`: the stages, with the scheduled public-API capture just before publish.
DAILY_RUN = STAGES[:-1] + ("json_capture",) + STAGES[-1:]


def stage_action(layout, stage, work, failure_facts=None):
    """Wrap `work(**task_options)` so a BackupError fails the task cleanly (exit 1) and every outcome is recorded.

    `failure_facts()`, when given, returns how hard the stage tried (retries, attempts) for failures.json.
    """
    log = logging.getLogger(stage)

    def action(**options):
        started = time.monotonic()
        try:
            details = work(**options) or {}
        except BackupError as error:
            log.error("%s", redact(str(error)))
            record_failure(layout, stage, error, failure_facts() if failure_facts else None)
            outcome = "refused" if isinstance(error, GateRefused) else "failed"
            record_stage(layout, stage, started, outcome, error=error)
            return TaskFailed(redact(str(error)))
        except Exception as error:
            record_failure(layout, stage, error)
            record_stage(layout, stage, started, "error", error=error)
            raise
        record_stage(layout, stage, started, "done", details)
        return {"ok": True}

    action.__name__ = f"{stage}_action"
    return action
