"""Stage modules; each yields doit task dicts. STAGES is the canonical order of a backup run."""
import logging
import sys
import time

from doit.exceptions import TaskFailed

from lib import git
from lib.core.errors import BackupError, ConfigError, ExitStatus, GateRefused
from lib.core.redact import redact
from lib.run import INVOCATION, record_failure, record_stage, stages_file

STAGES = ("pull", "export", "unpack", "shard_expand", "count", "gate", "promote", "render", "publish")
# A plain `doit`: the stages, with the scheduled public-API capture just before publish.
DAILY_RUN = STAGES[:-1] + ("json_capture",) + STAGES[-1:]
# The option of every command that reads older snapshots (verify, snapshots, history, recover, restore_notion).
DEEP = {"name": "deep", "long": "deep", "type": bool, "default": False,
        "help": "fetch the older snapshots first (a fresh runner holds only the newest)"}


def stage_action(layout, stage, work, failure_facts=None):
    """Wrap `work(**task_options)` so a BackupError fails the task cleanly (exit 1) and every outcome is recorded.

    A ConfigError (bad configuration or usage found only at run time) ends the run with exit 3.
    `failure_facts()`, when given, returns how hard the stage tried (retries, attempts) for failures.json.
    Manual tasks run alone record only their outcome, under .doit/: the last backup's manifests stay as they are.
    """
    log = logging.getLogger(stage)

    def action(**options):
        started, backup = time.monotonic(), INVOCATION["backup"]
        try:
            details = work(**options) or {}
        except ConfigError as error:
            log.error("bad configuration:\n  %s", redact("\n  ".join(error.problems)))
            if not backup or layout.backups.exists():  # on a fresh clone a refused configuration creates nothing
                if backup:
                    record_failure(layout, stage, error)
                record_stage(stages_file(layout), stage, started, "config", error=error)
            sys.exit(ExitStatus.CONFIG)  # doit lets SystemExit through (its state is still saved)
        except BackupError as error:
            log.error("%s", redact(str(error)))
            if backup:
                record_failure(layout, stage, error, failure_facts() if failure_facts else None)
            outcome = "refused" if isinstance(error, GateRefused) else "failed"
            record_stage(stages_file(layout), stage, started, outcome, error=error)
            return TaskFailed(redact(str(error)))
        except Exception as error:
            if backup:
                record_failure(layout, stage, error)
            record_stage(stages_file(layout), stage, started, "error", error=error)
            raise
        record_stage(stages_file(layout), stage, started, "done", details)
        return {"ok": True}

    action.__name__ = f"{stage}_action"
    return action


def fetch_backup_repo(cfg, layout, deepen=None):
    """Return the backup repository, its branch fetched first when a remote is set: `deepen` snapshots of
    history deep (0 = all; None = the tip, or only what is new where the branch is already here)."""
    repo = git.open_backup_repo(layout)
    if cfg["publish.remote"]:
        git.fetch_branch(repo, cfg["publish.remote"], cfg["publish.branch"], git.push_credentials(cfg), deepen=deepen)
    elif deepen is not None:
        logging.getLogger("git").info("--deep: no remote configured (publish.remote is empty), reading the local "
                                      "history only")
    return repo
