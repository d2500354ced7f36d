"""Real `doit` runs with generated settings: each ends in a valid run (0, or 1 for a refusal), or exits 3 naming
the setting with nothing created; never 2, never a branch git cannot read, never the user's own branch touched."""
import pytest
from hypothesis import strategies as st

from lib.core.errors import ExitStatus
from tests.fakes.exports import FakeWorkspace
from tests.fakes.notion_internal import FakeNotion
from tests.harness import branch_log, fake_env, git, make_project, run_doit
from tests.sized import SIZES, run_sized

WORDS = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=12)
# Per variable: values users write and values that broke the product, plus free text where any text may come.
# Only values that keep an accepted run short (no hour-long waits) are drawn: a run takes seconds.
POOLS = {
    "BACKUP_BRANCH": st.one_of(st.sampled_from(["notion-backups", "snapshots/daily", "main", "HEAD", "a..b",
                                                "refs/heads/x", "x y", "", "-x", "日本", "daily\r"]), WORDS),
    "BACKUP_DIR": st.one_of(st.sampled_from(["backups", "snapshots", ".", "..", "/tmp", ".git/b", "lib", "tasks/x",
                                             "backups/deeper", ".doit", ""]), WORDS),
    "BACKUP_RUN_ID": st.one_of(st.sampled_from(["", "day-1", "..", "../official", "/abs/victim", ".hidden",
                                                "a b", "2026-12-01"]), WORDS),
    "QUALITY_MAX_DROP_PERCENT": st.sampled_from(["nan", "inf", "0", "60", "100", "101", "-1", "NaN"]),
    "QUALITY_MIN_MD_COUNT": st.sampled_from(["0", "10", "1e3", "-1", "99999999", "ten"]),
    "UNPACK_MAX_TOTAL_GB": st.sampled_from(["inf", "nan", "0.001", "64", "1e6", "0", "1e400"]),
    "OFFICIAL_EXPORT_TIME_ZONE": st.one_of(st.sampled_from(["UTC", "Europe/Paris", "Mars/Olympus", "", "../UTC"]),
                                           WORDS),
    "BACKUP_GIT_REMOTE": st.sampled_from(["origin", "", "https://", "upstream", "ftp://x/y", "https://u:p@h.example/x",
                                          "ssh://", "nowhere/at/all.git"]),
    "BACKUP_COMMITTER_NAME": st.one_of(st.sampled_from(["Backup Bot", "a <b>", ""]), WORDS),
    "BACKUP_COMMITTER_EMAIL": st.sampled_from(["bot@example.com", "nobody", "<x@y>", "a b@c"]),
    "RENDER_WORKERS": st.sampled_from(["1", "2", "0", "65", "two"]),
    "NOTION_SPACE_ID": st.sampled_from(["my workspace", "1234"]),
    "NATIVE_EXPORT_TOKEN_V2": st.sampled_from(["token_v2=abc", "a b"]),
    "OFFICIAL_WORKSPACE_POLL_INTERVAL_SECONDS": st.sampled_from(["inf", "1e309", "0.01", "-1"]),
    "OFFICIAL_ZIP_KEEP_DAYS": st.sampled_from(["0", "30", "1e9", "-3", "99999999999"]),
    "OFFICIAL_ZIP_KEEP_GB": st.sampled_from(["0", "2.5", "-1", "nan", "inf", "1e7", "five"]),
    "BACKUP_MAX_FILE_MB": st.sampled_from(["0", "95", "nan", "1"]),
    "NOTION_NOTIFICATION_BASE_URLS": st.sampled_from(["ftp://x", "https://", "http://u:p@h.example"]),
}


def project_files(project):
    """Every path in the project outside .git, to see that a refused run created nothing."""
    return sorted(str(p.relative_to(project)) for p in project.rglob("*") if ".git" not in p.relative_to(project).parts)


def refs(where):
    """Every ref and the commit it points to."""
    return git("for-each-ref", "--format=%(refname) %(objectname)", cwd=where)


def check_run(tmp_path_factory, fake, env):
    """Run doit with `env` over the stand-in's environment in a fresh project; assert the property."""
    project, remote = make_project(tmp_path_factory.mktemp("run"))
    files, before, main = project_files(project), (refs(project), refs(remote)), git("rev-parse", "main", cwd=project)
    done = run_doit(project, fake_env(fake, **{"QUALITY_MIN_MD_COUNT": 10, "QUALITY_MIN_CSV_COUNT": 2, **env}))
    output = done.stdout + done.stderr
    assert done.returncode != ExitStatus.BUG and "Traceback" not in output, output[-4000:]
    if done.returncode == ExitStatus.CONFIG:
        problems = output.split("bad configuration:", 1)[1].strip().splitlines()
        for line in problems:
            if line.startswith("  "):
                assert any(name in line for name in env), f"{line!r} names no generated setting"
        assert project_files(project) == files, "a refused configuration created files"
        assert (refs(project), refs(remote)) == before, "a refused configuration moved a ref"
        return
    assert done.returncode in (ExitStatus.OK, ExitStatus.REFUSED), output[-4000:]
    assert git("rev-parse", "main", cwd=project) == main, "the user's checked-out branch moved"
    assert "refs/heads/main" not in refs(remote), "the user's branch was pushed"
    git("fsck", "--strict", cwd=remote)
    if done.returncode == ExitStatus.OK and env.get("BACKUP_GIT_REMOTE", "origin") == "origin":
        # Values are read with surrounding whitespace removed (a .env saved with CRLF ends each value in \r).
        branch = (env.get("BACKUP_BRANCH") or "").strip() or "notion-backups"
        assert branch_log(remote, branch), f"the snapshot is not on the remote's {branch}"
        git("clone", "-q", "-b", branch, str(remote), str(project.parent / "clone"))


@pytest.fixture(scope="module")
def fake():
    with FakeNotion(workspace=FakeWorkspace(seed=31, pages=40, databases=3)) as server:
        yield server


@st.composite
def environments(draw):
    """One to three variables, each with a value from its pool."""
    chosen = draw(st.lists(st.sampled_from(sorted(POOLS)), min_size=1, max_size=3, unique=True))
    return {name: draw(POOLS[name]) for name in chosen}


@pytest.mark.parametrize("size", SIZES)
def test_generated_settings_end_in_a_valid_run_or_exit_3(tmp_path_factory, fake, size):
    run_sized(size, (6, 60), lambda env: check_run(tmp_path_factory, fake, env), env=environments())
