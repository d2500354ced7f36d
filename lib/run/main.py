"""The entry point: doit's main with the backup's loader and reporter; the one place the process's exit status is set.

`python -m lib.run [doit arguments]` runs it; so does plain `doit` (dodo.py hands its command line over).
"""
import logging
import signal
import sys

from doit import doit_cmd
from doit.cmd_run import Run

from lib.core.errors import ExitStatus
from lib.core.log import setup_logging
from lib.run import summary
from lib.run.loader import TASKS_MODULE, BackupLoader, Stop

__all__ = ["TASKS_MODULE", "BackupMain", "BackupRun", "main", "hand_over", "run_from_command_line"]


class BackupRun(Run):
    """doit's run command, telling the loader the words it runs (task names and their options, its own taken out)."""

    name = "run"

    def execute(self, params, args):
        """Hand the task words to the loader, then run as doit does."""
        self.loader.words = list(args)
        return super().execute(params, args)


class BackupMain(doit_cmd.DoitMain):
    """doit's main, reading every word after the command as the command's own: the backup has no doit variables."""

    BIN_NAME = "doit"
    DOIT_CMDS = tuple(BackupRun if command is Run else command for command in doit_cmd.DoitMain.DOIT_CMDS)

    def process_args(self, cmd_args):
        """Return the words unchanged (doit would take a pasted `https://...?pvs=4` for a `name=value` variable,
        and stumble on an empty word); tell the loader which command runs, named as doit will choose it."""
        doit_cmd.reset_vars()
        words = list(cmd_args)
        self.task_loader.command = words[0] if words and words[0] in self.get_cmds() else "run"
        return words


def _raise_interrupt(signum, frame):
    summary.INVOCATION["interrupted"] = True
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv, dodo_file=None):
    """Run doit's command line `argv` with the backup's loader and return the ExitStatus it ends with."""
    setup_logging()
    signal.signal(signal.SIGTERM, _raise_interrupt)
    loader = BackupLoader(argv, dodo_file)
    try:
        return int(loader.exit_status(BackupMain(loader).run(list(argv))))
    except Stop as stop:
        return stop.status
    except KeyboardInterrupt as interrupt:   # doit has saved its state and the reporter has written the summary
        logging.getLogger("run").error("interrupted (%s)", interrupt or "Ctrl-C")
        return int(ExitStatus.BUG)
    finally:
        loader.close()


def hand_over(dodo_file):
    """Exit with main() over this process's command line: doit's own main loaded `dodo_file`, and the backup's
    loader reads the command line instead (doit's has already split a pasted URL apart)."""
    sys.exit(main(sys.argv[1:], dodo_file))


def run_from_command_line():
    """`python -m lib.run ...`: exit with main() over the command line."""
    sys.exit(main(sys.argv[1:]))
