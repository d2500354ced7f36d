"""doit's reporter for a run: the console lines doit prints, then run_summary.json, the summary line and alerts."""
import logging

from doit.exceptions import TaskFailed
from doit.reporter import ConsoleReporter

from lib.run import summary
from lib.run.notify import send_alert

log = logging.getLogger("summary")
# The stages that talk to Notion (or prepare what came from it): only a run of these reminds of an old cookie.
NOTION_STAGES = frozenset({"pull", "export", "unpack", "shard_expand", "count", "gate", "promote"})


class ConfigFailed(TaskFailed):
    """A stage found bad configuration or usage only at run time: the task fails and the run exits 3."""


class RunRecord:
    """What the entry point needs to know of one invocation: its config and layout, its tasks, how it went."""

    def __init__(self):
        self.cfg = self.layout = None
        self.names, self.backup, self.config_failed = [], True, False

    def begin(self, cfg, layout, names, backup):
        """Remember the run about to start: its settings, layout, selected tasks, and whether it is a backup run."""
        self.cfg, self.layout, self.names, self.backup = cfg, layout, list(names), backup


def reporter_for(record):
    """Return the reporter class doit instantiates for this run (doit takes a class, and builds it itself)."""
    return type("RunReporter", (RunReporter,), {"record": record})


class RunReporter(ConsoleReporter):
    """doit's console reporter, and at the end of the run the run's own report: see complete_run."""

    record = RunRecord()
    desc = "console output, then the run summary and alerts"

    def add_failure(self, task, fail):
        """Note a failure caused by configuration or usage (the run then exits 3), and report it as doit does."""
        if isinstance(fail, ConfigFailed):
            self.record.config_failed = True
        super().add_failure(task, fail)

    def complete_run(self):
        """After doit's own report: a backup run writes run_summary.json, logs one line and alerts; a manual
        task run alone logs one line about itself."""
        super().complete_run()
        record = self.record
        if record.backup:
            finish_run(record.cfg, record.layout)
        else:
            finish_manual(record.layout, record.names)


def finish_manual(layout, names):
    """One line saying how a manual task went; the last backup's run_summary.json stays as it was."""
    result = summary.manual_summary(layout, names)
    (log.info if result["verdict"] == "success" else log.error)("%s", result["summary"])


def finish_run(cfg, layout):
    """Write run_summary.json, log the one-line summary, alert on failure, refusal or an old cookie."""
    if not layout.backups.exists():
        return
    result = summary.current_summary(layout)
    summary.write_summary(layout, result)
    (log.info if result["verdict"] == "success" else log.error)("%s", result["summary"])
    token = result["token_v2"]
    # Only runs that talked to Notion remind: `doit render` alone should not page anyone.
    expiring = (token is not None and token["days_left"] <= cfg["notify.token_v2_warn_days"]
                and bool(NOTION_STAGES & set(result["stages"])))
    if expiring:
        log.warning("%s", summary.token_warning(token))
    title = f"Notion backup ({cfg.workspace})" if cfg.workspace else "Notion backup"
    if result["verdict"] in ("failed", "refused"):
        body = result["summary"] + ("\n" + summary.token_warning(token) if expiring else "")
        send_alert(cfg["notify.urls"], f"{title} {result['verdict']}", body)
    elif expiring:
        send_alert(cfg["notify.urls"], f"{title}: token_v2 expires soon", summary.token_warning(token))
