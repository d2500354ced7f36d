"""`.ci/backup` exits with doit's own code, which `make backup` cannot (GNU make exits 2 on any failure)."""
import os
import shutil
import subprocess
import sys

import pytest

from lib.core.errors import ExitStatus
from tests.harness import REPO, base_env, make_project


@pytest.fixture
def project(tmp_path):
    """A user's clone with the Makefile and .ci/, and a .venv that `make setup` finds up to date."""
    project, _ = make_project(tmp_path)
    for name in ("Makefile", "requirements.txt"):
        shutil.copy2(REPO / name, project / name)
    shutil.copytree(REPO / ".ci", project / ".ci")
    bin_dir = project / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    # This interpreter stands in for the virtualenv `make setup` would build (no network in tests).
    (bin_dir / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (bin_dir / "python").chmod(0o755)
    (project / ".venv" / ".installed").touch()
    return project


def run(project, command, **env):
    return subprocess.run(command, cwd=project, env=base_env(project, {key: str(v) for key, v in env.items()}),
                          capture_output=True, text=True, timeout=120)


def test_bad_configuration_exits_3_from_ci_backup_and_2_from_make(project):
    done = run(project, [".ci/backup"], BACKUP_BRANCH="HEAD")
    assert done.returncode == ExitStatus.CONFIG, done.stdout + done.stderr
    assert "BACKUP_BRANCH" in done.stderr and not (project / "backups").exists()
    done = run(project, ["make", "--no-print-directory", "backup"], BACKUP_BRANCH="HEAD")
    assert done.returncode == 2, "GNU make reports any failure as 2: the README says so"


def test_setup_notice_exits_0_and_arguments_reach_doit(project):
    done = run(project, [".ci/backup"])
    assert done.returncode == ExitStatus.OK and "not set up yet" in done.stdout
    done = run(project, [".ci/backup", "verify"])
    assert done.returncode == ExitStatus.REFUSED and "there is no snapshot yet" in done.stdout + done.stderr
    assert os.path.exists(project / ".venv" / ".installed")


@pytest.mark.parametrize("words, usage", [
    (["history", "--page", ""], "usage: doit history --page PAGE"),
    (["recover", "--page", "Some page", "--at", "", "--to", "never"], "usage: doit recover --page PAGE"),
    (["recover", "--page=", "--to", "never"], "usage: doit recover --page PAGE"),
    (["--continue", "-v", "2", "history", "--page", ""], "usage: doit history --page PAGE"),
], ids=["history-page", "recover-at", "recover-page", "after-doit-options"])
def test_an_empty_value_is_a_usage_error_exit_3(project, words, usage):
    done = run(project, [".ci/backup", *words])
    output = done.stdout + done.stderr
    assert done.returncode == ExitStatus.CONFIG, output
    assert usage in output and "Traceback" not in output and "success" not in output
    assert not (project / "never").exists()


def test_make_backup_passes_workspace_to_doit_as_one_value_never_through_the_shell(project):
    done = run(project, ["make", "--no-print-directory", "backup", "WORKSPACE=a; touch PWNED"])
    assert not (project / "PWNED").exists(), "the value was run by the shell"
    assert done.returncode == 2 and "'a; touch PWNED' names a workspace" in done.stdout + done.stderr
