"""doit's task loader for the backup: the configuration, the checks before any stage writes, and the tasks of dodo.py."""
import contextlib
import functools
import importlib.util
import logging
import os
import sys
from pathlib import Path

from doit import loader as doit_loader
from doit.cmd_base import DodoTaskLoader, TaskLoader2
from doit.control import TaskControl

from lib.config import load_config, workspaces
from lib.core.errors import ConfigError, ExitStatus, PublishError
from lib.core.layout import Layout
from lib.run import checks, summary
from lib.run.reporter import NOTION_STAGES, RunRecord, reporter_for

# The module name dodo.py is loaded under by this loader; under any other name (doit's own `dodo`, or
# `__main__`) dodo.py hands the command line over to the entry point.
TASKS_MODULE = "notion_backup_tasks"
# An invocation that runs one of these is a backup run: it writes run_summary.json and alerts. The others
# (render, verify, snapshots, api_capture, restore_notion alone) are manual tasks that report as themselves.
BACKUP_STAGES = NOTION_STAGES | {"publish"}
DESCRIBE = {"list", "help", "info", "tabcompletion"}   # the same tasks for every workspace: described once


class Stop(BaseException):
    """The invocation ends before doit runs a task (bad configuration, the setup notice, another run, workspaces
    run one by one): the entry point exits with `status`. A BaseException, so that doit's main lets it through
    instead of printing it as a crash."""

    def __init__(self, status):
        super().__init__(int(status))
        self.status = int(status)


def load_dodo(path):
    """Execute dodo.py at `path` as the module TASKS_MODULE and return its namespace."""
    spec = importlib.util.spec_from_file_location(TASKS_MODULE, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[TASKS_MODULE] = module
    spec.loader.exec_module(module)
    return vars(module)


def bind(creator, cfg, layout):
    """Return `creator(cfg, layout)` as the argument-less task creator doit calls (its doc and line kept)."""
    @functools.wraps(creator)   # doit reads the docstring, and the line number through __wrapped__ for the order
    def create():
        return creator(cfg, layout)
    return create


class BackupLoader(TaskLoader2):
    """Load the configuration once, stop early where the run must not start, and give doit dodo.py's tasks.

    `command` is set by the entry point's DoitMain as it reads the command line, and `words` (the tasks to run and
    their options) by its run command once doit has taken its own options out; doit's TaskControl reads them.
    """
    cmd_options = DodoTaskLoader.cmd_options   # -f/--file, -d/--dir, -k/--seek-file, as plain doit has them

    def __init__(self, argv, dodo_file=None):
        super().__init__()
        self.argv, self.dodo_file = list(argv), dodo_file
        self.command, self.words = "run", []
        self.namespace = self.cfg = self.layout = None
        self.record = RunRecord()
        self.held = contextlib.ExitStack()

    def setup(self, opt_values):
        """Find and load dodo.py (the file doit's own main found, or -f/-d as doit reads them) and the configuration."""
        path = Path(self.dodo_file or os.path.abspath(opt_values.get("dodoFile") or "dodo.py")).resolve()
        if not path.exists():
            logging.getLogger("run").error("no task file at %s (run from the project folder, or -f PATH)", path)
            raise Stop(ExitStatus.CONFIG)
        if not self.dodo_file:   # handed over, doit's own main has already moved into the project
            os.chdir(opt_values.get("cwdPath") or path.parent)
        self.namespace = load_dodo(path)
        try:
            self.cfg = load_config(path.parent)
        except ConfigError as error:
            raise Stop(checks.refuse_config(error.problems)) from None

    def load_doit_config(self):
        """Return dodo.py's DOIT_CONFIG with this workspace's state file and the run reporter, after the checks
        that must come before doit creates anything (it opens its state file next)."""
        cfg = self.cfg
        if cfg.workspace_names and cfg.workspace is None:
            if self.command not in DESCRIBE:
                raise Stop(workspaces.run_each(cfg.workspace_names, ["doit", *self.argv]))
            self.cfg = cfg = load_config(cfg.root, dict(os.environ, **{workspaces.SELECT_ENV: cfg.workspace_names[0]}))
        self.layout = layout = Layout.for_config(cfg)
        config = dict(self.namespace.get("DOIT_CONFIG", {}), dep_file=str(layout.doit_db))
        if self.command != "run":
            layout.state_dir.mkdir(parents=True, exist_ok=True)
            return config
        names = self.selected(config.get("default_tasks", []))
        missing = cfg.missing_setup()
        if missing and NOTION_STAGES & set(names):
            checks.setup_notice(missing)
            raise Stop(ExitStatus.OK)
        problems = checks.branch_check(cfg, layout)
        if problems:
            raise Stop(checks.refuse_config(problems))
        try:
            self.held.enter_context(checks.invocation_lock(layout))
        except PublishError as error:
            logging.getLogger("run").error("%s: not starting a second run in this checkout", error)
            raise Stop(ExitStatus.REFUSED) from None
        backup = bool(BACKUP_STAGES & set(names))
        summary.begin_invocation(cfg["notify.token_v2_expires"], backup=backup)
        self.record.begin(cfg, layout, names, backup)
        return dict(config, reporter=reporter_for(self.record))

    def selected(self, default_tasks):
        """Return the names of the tasks this `run` selects, as doit's own TaskControl reads the words."""
        control = TaskControl(self.load_tasks(None, []))   # tasks of their own: doit parses options only once
        control.process(self.words or list(default_tasks))
        return [name.split(":")[0] for name in control.selected_tasks]

    def load_tasks(self, cmd, pos_args):
        """Return the tasks of dodo.py's `task_<name>(cfg, layout)` creators, in the order dodo.py defines them."""
        creators = {name: bind(ref, self.cfg, self.layout) if name.startswith("task_") and callable(ref) else ref
                    for name, ref in self.namespace.items()}
        # pos_args are not passed on: doit reads them for creator parameters, which dodo.py does not use, and
        # its reading stumbles on an empty word (`--page ''`), which the task's own options take.
        tasks = doit_loader.load_tasks(creators, self.cmd_names, allow_delayed=bool(cmd and cmd.execute_tasks),
                                       args=(), config=self.config)
        for task in tasks:
            stanza = f"task:{task.name}"
            if self.config and stanza in self.config:
                task.cfg_values = self.config[stanza]
        return tasks

    def exit_status(self, doit_status):
        """Map doit's result onto ExitStatus: a stage that found bad configuration or usage makes it 3.

        Some of doit's commands (forget, ignore) return None for success."""
        doit_status = doit_status or ExitStatus.OK
        if doit_status in (ExitStatus.REFUSED, ExitStatus.OK) and self.record.config_failed:
            return ExitStatus.CONFIG
        return doit_status

    def close(self):
        """Release the invocation lock (held from the checks until doit has finished)."""
        self.held.close()
