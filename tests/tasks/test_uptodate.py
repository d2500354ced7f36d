"""An upgrade redoes the stages whose code changed and nothing else (the real dodo.py against the Notion stand-in)."""
import pytest

from lib.core.errors import ExitStatus
from tests.fakes.exports import FakeWorkspace
from tests.fakes.notion_internal import FakeNotion
from tests.harness import fake_env, make_project, run_doit


@pytest.fixture(scope="module")
def backed_up(tmp_path_factory):
    """A project after one backup against the stand-in, and the environment that reaches it."""
    with FakeNotion(workspace=FakeWorkspace(seed=12, pages=120, databases=8)) as fake:
        project, _ = make_project(tmp_path_factory.mktemp("uptodate"))
        env = fake_env(fake)
        done = run_doit(project, env)
        assert done.returncode == ExitStatus.OK, done.stdout + done.stderr
        yield project, env


def upgrade(project, package):
    """Change one module of a lib/ package, as a newer version of the tool would."""
    init = project / "lib" / package / "__init__.py"
    init.write_text(init.read_text() + "\n# a newer version\n")


def test_an_upgraded_renderer_renders_again_and_nothing_else_runs(backed_up):
    project, env = backed_up
    assert "-- render" in run_doit(project, env, "render").stdout
    upgrade(project, "site")
    done = run_doit(project, env, "render")
    assert done.returncode == ExitStatus.OK and ".  render" in done.stdout, done.stdout + done.stderr
    assert "-- render" in run_doit(project, env, "render").stdout


def test_an_upgrade_of_the_gate_judges_no_run_again_and_renders_nothing(backed_up):
    project, env = backed_up
    upgrade(project, "snapshot")
    done = run_doit(project, env)
    assert done.returncode == ExitStatus.OK, done.stdout + done.stderr
    for stage in ("export", "unpack", "shard_expand", "count", "gate", "promote", "render"):
        assert f"-- {stage}" in done.stdout, stage
