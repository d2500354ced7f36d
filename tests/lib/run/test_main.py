"""The entry point: doit's main reading pasted values as values, plain `doit` handing over, `doit list` in order."""
import subprocess
import sys

import pytest

from lib.core.errors import ExitStatus
from lib.run.loader import BackupLoader
from lib.run.main import BackupMain
from tasks import DAILY_RUN
from tests.harness import base_env, make_project

URL = "https://www.notion.so/Plan-0123456789abcdef0123456789abcdef?pvs=4"


@pytest.mark.parametrize("words, command", [
    (["recover", "--page", URL, "--to", "out=1"], "run"),
    (["run", "render", "a=b"], "run"),
    (["list", "--all"], "list"),
    ([], "run"),
    (["history", "--page", ""], "run"),
])
def test_every_word_stays_an_argument_and_the_loader_learns_the_command(words, command):
    loader = BackupLoader(words)
    assert BackupMain(loader).process_args(words) == words
    assert loader.command == command


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    project, _ = make_project(tmp_path_factory.mktemp("main"))
    return project


@pytest.mark.parametrize("program", [["-m", "doit"], ["-m", "lib.run"]], ids=["plain doit", "python -m lib.run"])
def test_doit_list_shows_the_daily_stages_first_in_pipeline_order(project, program):
    done = subprocess.run([sys.executable, *program, "list"], cwd=project, env=base_env(project, {}),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == ExitStatus.OK, done.stdout + done.stderr
    names = [line.split()[0] for line in done.stdout.splitlines() if line.strip()]
    assert names[:len(DAILY_RUN)] == list(DAILY_RUN)
    assert {"verify", "history", "recover", "restore_notion"} <= set(names[len(DAILY_RUN):])
