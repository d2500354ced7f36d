"""The snapshot commits of two daily runs, as a person reads them in `git log` (real doit, real git)."""
import re

from lib.core.errors import ExitStatus
from tests.fakes.exports import FakeWorkspace
from tests.fakes.notion_internal import FakeNotion
from tests.harness import fake_env, git, make_project, run_doit


def test_the_second_days_commit_names_the_pages_a_person_edited(tmp_path):
    with FakeNotion(workspace=FakeWorkspace(seed=4, pages=120, databases=4)) as fake:
        project, remote = make_project(tmp_path)
        env = fake_env(fake, BACKUP_RUN_ID="day-1")
        assert run_doit(project, env).returncode == ExitStatus.OK
        fake.set_day(1)
        env["BACKUP_RUN_ID"] = "day-2"
        done = run_doit(project, env)
        assert done.returncode == ExitStatus.OK, done.stderr[-3000:]
    first, second = (git("log", "-1", "--format=%B", ref, cwd=remote)
                     for ref in ("notion-backups~1", "notion-backups"))
    assert re.match(r"Snapshot day-1: \d+ pages, 5 databases, \d+ attachments\n", first)
    assert "No earlier snapshot to compare with." in first
    subject = second.splitlines()[0]
    assert re.fullmatch(r"Snapshot day-2: \d+ pages, 5 databases, \d+ attachments \(\+1 -1 ~\d+ pages, 1 moved\)",
                        subject), subject
    assert "Added pages (1):" in second and "Removed pages (1):" in second and "Changed pages (" in second
    renamed = second.split("Renamed or moved pages (1):\n", 1)[1].splitlines()[0]
    assert re.fullmatch(r"  (.+) → \1 v2", renamed), renamed
    assert "Run day-2, quality gate passed" in second
    assert not re.search(r"[0-9a-f]{32}|[{}]", second), "ids and Python data stay in the manifests"
