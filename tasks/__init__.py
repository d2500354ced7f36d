"""Stage modules; each yields doit task dicts. STAGES is the canonical order of a backup run."""
import functools
import hashlib
import logging
import time
from pathlib import Path

from doit.exceptions import TaskFailed
from doit.tools import config_changed

import lib
from lib import git
from lib.core.errors import BackupError, ConfigError, GateRefused
from lib.core.redact import redact
from lib.run import INVOCATION, ConfigFailed, record_failure, record_stage, stages_file

STAGES = ("pull", "export", "unpack", "shard_expand", "count", "gate", "promote", "render", "publish")
# A plain `doit`: the stages, with the scheduled public-API capture just before publish.
DAILY_RUN = STAGES[:-1] + ("json_capture",) + STAGES[-1:]
# The option of every command that reads older snapshots (verify, snapshots, history, recover, restore_notion).
DEEP = {"name": "deep", "long": "deep", "type": bool, "default": False,
        "help": "fetch the older snapshots first (a fresh runner holds only the newest)"}


class setting_changed(config_changed):
    """doit's config_changed under a key of its own (doit keeps one '_config_changed' per task; Nikola does the same)."""

    def __init__(self, config, key):
        super().__init__(config)
        self.key = f"_config_changed:{key}"
        self.config_digest = self._calc_digest()   # known before doit asks: a forced run (-a) saves it too

    def configure_task(self, task):
        task.value_savers.append(lambda: {self.key: self.config_digest})

    def __call__(self, task, values):
        return values.get(self.key) == self.config_digest


@functools.lru_cache(maxsize=None)
def code_digest(*packages):
    """Return the sha256 of the source of these lib/ packages: the code that shapes a stage's output."""
    digest = hashlib.sha256()
    for package in packages:
        folder = Path(lib.__file__).parent / package
        for path in sorted(folder.rglob("*.py")):
            digest.update(path.relative_to(folder.parent).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def reads(cfg, stage, keys, code=()):
    """Return the uptodate check of a stage that reads these settings and whose output this code shapes:
    a changed setting among `keys`, or an upgrade of the `code` packages, redoes it; nothing else does."""
    return setting_changed({"settings": {key: cfg[key] for key in keys}, "code": code_digest(*code)}, stage)


def stage_action(layout, stage, work, failure_facts=None):
    """Wrap `work(**task_options)` so a BackupError fails the task cleanly (exit 1) and every outcome is recorded.

    A ConfigError (bad configuration or usage found only at run time) fails the task as ConfigFailed, which the
    run's reporter notes and the entry point turns into exit 3.
    `failure_facts()`, when given, returns how hard the stage tried (retries, attempts) for failures.json.
    Manual tasks run alone record only their outcome, under .doit/: the last backup's manifests stay as they are.
    """
    log = logging.getLogger(stage)

    def action(**options):
        started, backup = time.monotonic(), INVOCATION["backup"]
        try:
            details = work(**options) or {}
        except ConfigError as error:
            problems = redact("\n  ".join(error.problems))
            log.error("bad configuration:\n  %s", problems)
            if not backup or layout.backups.exists():  # on a fresh clone a refused configuration creates nothing
                if backup:
                    record_failure(layout, stage, error)
                record_stage(stages_file(layout), stage, started, "config", error=error)
            return ConfigFailed(f"bad configuration:\n  {problems}")
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
