"""What dodo.py does before doit runs: load config or exit 3, and the setup notice (exit 0)."""
import atexit
import logging
import os
import signal
import sys

from lib import summary

from lib.config import load_config
from lib.errors import ConfigError
from lib.log import setup_logging
from lib.notify import send_alert_at_exit
from lib.paths import Layout

NOTION_STAGES = {"pull", "export", "unpack", "shard_expand", "count", "gate", "promote"}
COMMANDS_WITHOUT_RUN = {"list", "help", "info", "forget", "ignore", "clean", "dumpdb", "strace",
                        "reset-dep", "tabcompletion"}


def _raise_interrupt(signum, frame):
    summary.INVOCATION["interrupted"] = True
    raise KeyboardInterrupt(f"signal {signum}")


def finish_run(cfg, layout):
    """At exit: write run_summary.json, print the one-line summary, alert on failure or refusal."""
    if not layout.backups.exists():
        return
    result = summary.current_summary(layout)
    summary.write_summary(layout, result)
    log = logging.getLogger("summary")
    (log.info if result["verdict"] == "success" else log.error)("%s", result["summary"])
    if result["verdict"] in ("failed", "refused"):
        send_alert_at_exit(cfg["notify.urls"], f"Notion backup {result['verdict']}", result["summary"])


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


_INVOCATION_LOCK = []


def hold_invocation_lock(layout):
    """Exit 1 when another `doit` run works in this checkout; else keep a lock until this process ends."""
    import fcntl
    import json
    path = layout.state_dir / "invocation.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        try:
            holder = json.loads(os.pread(fd, 4096, 0) or b"{}")
        except ValueError:
            holder = {}
        logging.getLogger("run").error(
            "another backup run (pid %s, started %s) is working in this checkout: not starting a second one "
            "(wait for it; the lock goes away when that process ends)", holder.get("pid", "?"), holder.get("started", "?"))
        sys.exit(1)
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps({"pid": os.getpid(), "started": summary.now_iso()}).encode(), 0)
    _INVOCATION_LOCK.append(fd)  # the kernel releases it when the process ends, however it ends


def prepare(root, argv=None):
    """Load the config for dodo.py; exit 3 on bad config, exit 0 with the setup notice when unset."""
    argv = sys.argv if argv is None else argv
    setup_logging()
    signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        cfg = load_config(root)
    except ConfigError as error:
        logging.getLogger("config").error("bad configuration:\n  %s", "\n  ".join(error.problems))
        sys.exit(3)
    command, names = requested_tasks(argv)
    needs_notion = command == "run" and (not names or NOTION_STAGES & set(names))
    missing = cfg.missing_setup()
    if needs_notion and missing:
        setup_notice(missing)
        sys.exit(0)
    layout = Layout.for_config(cfg)
    layout.state_dir.mkdir(parents=True, exist_ok=True)
    if command == "run":
        hold_invocation_lock(layout)
        summary.begin_invocation()
        atexit.register(finish_run, cfg, layout)
    return cfg, layout
