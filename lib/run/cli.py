"""What dodo.py does before doit runs: load config or exit 3, and the setup notice (exit 0)."""
import atexit
import contextlib
import logging
import os
import signal
import sys

from lib.run import summary

from lib.config import workspaces

from lib.config import load_config
from lib.core.errors import ConfigError, ExitStatus, PublishError
from lib.core.fsutil import read_json, write_json_atomic
from lib.core.log import setup_logging
from lib.run.notify import send_alert_at_exit
from lib.core.layout import Layout
from lib.git import backup_repo_path, branch_problems, run_lock

NOTION_STAGES = {"pull", "export", "unpack", "shard_expand", "count", "gate", "promote"}
# An invocation that runs one of these is a backup run: it writes run_summary.json and alerts. The others
# (render, verify, snapshots, api_capture, restore_notion alone) are manual tasks that report as themselves.
BACKUP_STAGES = NOTION_STAGES | {"publish"}
DESCRIBE = {"list", "help", "info", "tabcompletion"}
COMMANDS_WITHOUT_RUN = {"list", "help", "info", "forget", "ignore", "clean", "dumpdb", "strace",
                        "reset-dep", "tabcompletion"}


def _raise_interrupt(signum, frame):
    summary.INVOCATION["interrupted"] = True
    raise KeyboardInterrupt(f"signal {signum}")


def finish_manual(layout, names):
    """At exit of a manual task: one line saying how it went; the last backup's run_summary.json stays as it was."""
    result = summary.manual_summary(layout, names)
    (logging.getLogger("summary").info if result["verdict"] == "success" else
     logging.getLogger("summary").error)("%s", result["summary"])


def finish_run(cfg, layout):
    """At exit: write run_summary.json, print the one-line summary, alert on failure, refusal or an old cookie."""
    if not layout.backups.exists():
        return
    result = summary.current_summary(layout)
    summary.write_summary(layout, result)
    log = logging.getLogger("summary")
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
        send_alert_at_exit(cfg["notify.urls"], f"{title} {result['verdict']}", body)
    elif expiring:
        send_alert_at_exit(cfg["notify.urls"], f"{title}: token_v2 expires soon", summary.token_warning(token))


def requested_tasks(argv):
    """Return (command, task names) from doit's command line (task names empty = default run)."""
    words = [word for word in argv[1:] if not word.startswith("-")]
    if words and words[0] in COMMANDS_WITHOUT_RUN:
        return words[0], []
    if words and words[0] == "run":
        words = words[1:]
    return "run", [word.split(":")[0] for word in words if "=" not in word]


def setup_notice(missing):
    """Print what to add and where; in GitHub Actions as a ::notice annotation."""
    text = (f"notion-git-backup is not set up yet: add {' and '.join(missing)} "
            "(GitHub: Settings → Secrets and variables → Actions; locally: .env, see .env.example). "
            "Nothing was exported and no file or branch was created.")
    # Straight to stdout, not logging: GitHub reads workflow annotations from stdout lines.
    if os.environ.get("GITHUB_ACTIONS") == "true":
        text = f"::notice title=Notion backup not configured::{text}"
    sys.stdout.write(text + "\n")


def hold_invocation_lock(layout):
    """Exit 1 when another `doit` run works in this checkout; else hold the lock until this process ends."""
    held = contextlib.ExitStack()
    try:
        held.enter_context(run_lock(layout.invocation_lock))
    except PublishError as error:
        logging.getLogger("run").error("%s: not starting a second run in this checkout", error)
        sys.exit(ExitStatus.REFUSED)
    atexit.register(held.close)  # a killed process leaves its record, which the next run reports


def refuse_config(problems):
    """Log every configuration problem and exit 3 before anything is written."""
    logging.getLogger("config").error("bad configuration:\n  %s", "\n  ".join(problems))
    sys.exit(ExitStatus.CONFIG)


def check_branch(cfg, layout):
    """Before any stage writes: exit 3 unless the branch is ours alone and the remote exists; remember its sound tip."""
    branch, checked = cfg["publish.branch"], read_json(layout.branch_checked, {})
    problems, tip = branch_problems(backup_repo_path(layout), branch, cfg["publish.remote"], checked.get(branch))
    if problems:
        refuse_config(problems)
    layout.state_dir.mkdir(parents=True, exist_ok=True)
    if tip and checked.get(branch) != tip:
        write_json_atomic(layout.branch_checked, dict(checked, **{branch: tip}))  # the next run walks only what is new


def prepare(root, argv=None):
    """Load the config for dodo.py; exit 3 on bad config, exit 0 with the setup notice when unset."""
    argv = sys.argv if argv is None else argv
    setup_logging()
    signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        cfg = load_config(root)
    except ConfigError as error:
        refuse_config(error.problems)
    command, names = requested_tasks(argv)
    if cfg.workspace_names and cfg.workspace is None:
        if command in DESCRIBE:   # the same tasks for every workspace: describe them once
            cfg = load_config(root, dict(os.environ, **{workspaces.SELECT_ENV: cfg.workspace_names[0]}))
        else:
            sys.exit(workspaces.run_each(cfg.workspace_names, argv))
    needs_notion = command == "run" and (not names or NOTION_STAGES & set(names))
    missing = cfg.missing_setup()
    if needs_notion and missing:
        setup_notice(missing)
        sys.exit(ExitStatus.OK)
    layout = Layout.for_config(cfg)
    if command != "run":
        layout.state_dir.mkdir(parents=True, exist_ok=True)
        return cfg, layout
    check_branch(cfg, layout)
    hold_invocation_lock(layout)
    backup = not names or bool(BACKUP_STAGES & set(names))
    summary.begin_invocation(cfg["notify.token_v2_expires"], backup=backup)
    if backup:
        atexit.register(finish_run, cfg, layout)
    else:
        atexit.register(finish_manual, layout, names)
    return cfg, layout
