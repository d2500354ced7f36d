"""The reliability suite: kills at random points, two runs at once, a lost remote, a full disk, a 30-day soak."""
import random
import signal
import subprocess

import pytest

from lib.core.errors import ExitStatus
from tests.fakes.exports import FakeWorkspace
from tests.fakes.notion_internal import FakeNotion
from tests.harness import base_env, branch_log, doit_command, fake_env, git, make_project, run_doit, run_doit_and_kill
from tasks import STAGES

WORKSPACE = dict(seed=21, pages=120, databases=8)


def official_blobs(remote):
    """Return {path: blob id} of official/ at the branch tip, as the real git binary reads it."""
    out = git("ls-tree", "-r", "notion-backups", "backups/official/", cwd=remote) if branch_log(remote) else ""
    if not out:
        out = git("ls-tree", "-r", "notion-backups", "official/", cwd=remote) if branch_log(remote) else ""
    return {line.split("\t", 1)[1]: line.split()[2] for line in out.splitlines()}


def site_pages(project):
    """Return the sorted relative paths of the rendered site."""
    site = project / "backups" / "site"
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def stand_in():
    """One stand-in for the module: every run exports the same day-0 workspace."""
    with FakeNotion(workspace=FakeWorkspace(**WORKSPACE)) as fake:
        yield fake


@pytest.fixture(scope="module")
def reference(stand_in, tmp_path_factory):
    """An uninterrupted backup, to compare interrupted ones with."""
    project, remote = make_project(tmp_path_factory.mktemp("reference"))
    done = run_doit(project, fake_env(stand_in))
    assert done.returncode == ExitStatus.OK, done.stdout + done.stderr
    return {"official": official_blobs(remote), "site": site_pages(project)}


def kill_and_resume(stand_in, reference, tmp_path, stage, sig, seed):
    """Kill a run at a random instant after `stage` starts, run again, compare with the reference."""
    project, remote = make_project(tmp_path)
    env = fake_env(stand_in)
    delay = random.Random(f"{stage}-{sig}-{seed}").uniform(0.0, 0.4)
    code, output, killed = run_doit_and_kill(project, env, stage, sig, delay)
    assert killed, f"{stage} never started:\n{output[-2000:]}"
    done = run_doit(project, env)
    assert done.returncode == ExitStatus.OK, done.stdout[-2000:] + done.stderr[-3000:]
    assert len(branch_log(remote)) == 1, branch_log(remote)
    git("fsck", "--strict", cwd=remote)
    assert official_blobs(remote) == reference["official"]
    assert site_pages(project) == reference["site"]


@pytest.mark.parametrize("stage", STAGES)
def test_sigterm_in_each_stage_then_rerun_ends_like_an_uninterrupted_run(stand_in, reference, tmp_path, stage):
    kill_and_resume(stand_in, reference, tmp_path, stage, signal.SIGTERM, seed=0)


@pytest.mark.long
@pytest.mark.parametrize("seed", range(1, 5))
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["KILL", "TERM"])
@pytest.mark.parametrize("stage", STAGES)
def test_kill_matrix(stand_in, reference, tmp_path, stage, sig, seed):
    kill_and_resume(stand_in, reference, tmp_path, stage, sig, seed)


def test_two_runs_started_at_once_make_one_backup(stand_in, tmp_path):
    project, remote = make_project(tmp_path)
    env = base_env(project, fake_env(stand_in))
    before = len(stand_in.tasks)
    runs = [subprocess.Popen(doit_command(), cwd=project, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    codes = sorted(run.returncode for run in runs)
    assert codes == [0, 1], outputs
    assert any("another backup run" in out for out in outputs)
    assert len(branch_log(remote)) == 1
    assert len(stand_in.tasks) - before == 1, "the second run must not start an export"
    git("fsck", "--strict", cwd=remote)


def test_remote_unreachable_during_publish_keeps_the_snapshot_and_publishes_later(stand_in, tmp_path):
    project, remote = make_project(tmp_path)
    env = fake_env(stand_in)
    assert run_doit(project, env, "render").returncode == ExitStatus.OK
    assert run_doit(project, env, "promote").returncode == ExitStatus.OK
    hidden = remote.with_name("moved.git")
    remote.rename(hidden)
    done = run_doit(project, env, "publish")
    assert done.returncode == ExitStatus.REFUSED, done.stdout + done.stderr
    assert "remote.git" in done.stderr and "Traceback" not in done.stdout + done.stderr
    assert (project / "backups/official").is_dir()
    hidden.rename(remote)
    done = run_doit(project, env, "publish")
    assert done.returncode == ExitStatus.OK, done.stdout + done.stderr
    assert len(branch_log(remote)) == 1
    git("fsck", "--strict", cwd=remote)


@pytest.fixture
def small_disk(tmp_path):
    """A 3 MB tmpfs (root only): the place a full disk can be shown for real."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_disk_full_during_unpack_fails_clearly_and_resumes_when_space_returns(tmp_path, small_disk):
    workspace = FakeWorkspace(seed=22, pages=120, databases=8, attachments=30, attachment_bytes=60_000)
    with FakeNotion(workspace=workspace) as fake:
        project, remote = make_project(tmp_path)
        # The backup folder lives inside the project; a link to another disk is how a user gives it more room.
        (small_disk / "backups").mkdir()
        (project / "backups").symlink_to(small_disk / "backups")
        env = fake_env(fake)
        done = run_doit(project, env)
        output = done.stdout + done.stderr
        assert done.returncode == ExitStatus.REFUSED, output
        assert "space" in output.lower() and "Traceback" not in output
        assert not (small_disk / "backups/official").exists()
        subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)
        done = run_doit(project, env)
        assert done.returncode == ExitStatus.OK, done.stdout[-2000:] + done.stderr[-3000:]
        assert len(branch_log(remote)) == 1
        assert len([t for t in fake.tasks.values() if "parent" not in t]) == 1, "the download was reused"


@pytest.mark.long
def test_thirty_daily_runs_with_one_refusal(tmp_path):
    with FakeNotion(workspace=FakeWorkspace(**WORKSPACE)) as fake:
        project, remote = make_project(tmp_path)
        refusals = 0
        for day in range(30):
            shrink = 0.8 if day == 12 else 0.0
            fake.workspace = FakeWorkspace(**WORKSPACE, day=day, shrink=shrink)
            env = fake_env(fake, BACKUP_RUN_ID=f"day-{day:02d}", QUALITY_MIN_MD_COUNT=10, QUALITY_MIN_CSV_COUNT=2)
            done = run_doit(project, env)
            if day == 12:
                assert done.returncode == ExitStatus.REFUSED and "QUALITY_MAX_DROP_PERCENT" in done.stderr
                refusals += 1
            else:
                assert done.returncode == ExitStatus.OK, f"day {day}: " + done.stderr[-3000:]
        assert refusals == 1
        assert len(branch_log(remote)) == 29
        git("fsck", "--strict", cwd=remote)
        assert run_doit(project, env, "verify").returncode == ExitStatus.OK
        assert (project / "backups/site/index.html").exists()
        last = FakeWorkspace(**WORKSPACE, day=29)
        pages = sum(1 for rel, _, _ in last.entries() if rel.endswith(".md"))
        assert sum(1 for p in (project / "backups/official").rglob("*.md")) == pages


FAULTS = {
    "rate_limit_with_retry_after": ({"rate_limit": {"getTasks": 2}, "retry_after": 1}, ExitStatus.OK),
    "rate_limit_without_retry_after": ({"rate_limit": {"enqueueTask": 2}, "retry_after": None}, ExitStatus.OK),
    "cloudflare_502": ({"gateway_error": {"getTasks": 2}}, ExitStatus.OK),
    "bot_page": ({"bot_page": {"getNotificationLogV2": 2}}, ExitStatus.OK),
    "connection_reset": ({"reset": {"getTasks": 2}}, ExitStatus.OK),
    "expired_cookie": ({"token_expires_after": 0, "ui_logged_out": True}, ExitStatus.REFUSED),
    "task_failure": ({"task_failure": 1}, ExitStatus.REFUSED),
    "retryable_failure_twice": ({"task_retryable_failure": 2}, ExitStatus.REFUSED),
    "stuck_without_browser": ({"stuck": True}, ExitStatus.REFUSED),
    "success_without_link": ({"link_via": "none"}, ExitStatus.REFUSED),
    "download_html_200": ({"download_html_200": 1}, ExitStatus.OK),
    "download_truncated": ({"download_truncate": 1}, ExitStatus.OK),
    "link_expired": ({"link_expired": True}, ExitStatus.REFUSED),
    "corrupt_part": ({"corrupt_part": 1}, ExitStatus.REFUSED),
    "empty_feed_on_api_host": ({"empty_feed_on_api": True}, ExitStatus.OK),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_then_a_clean_run_ends_with_one_good_snapshot(tmp_path, fault):
    faults, expected = FAULTS[fault]
    with FakeNotion(workspace=FakeWorkspace(**WORKSPACE), **faults) as fake:
        project, remote = make_project(tmp_path)
        env = fake_env(fake, OFFICIAL_WORKSPACE_POLL_TIMEOUT_SECONDS=10, OFFICIAL_WORKSPACE_UI_FALLBACK=0,
                       OFFICIAL_EXPORT_HTTP_TIMEOUT_SECONDS=5)
        done = run_doit(project, env)
        output = done.stdout + done.stderr
        assert done.returncode == expected, output[-3000:]
        assert "Traceback" not in output
        if expected:
            assert not (project / "backups/official").exists() and branch_log(remote) == []
        fake.faults.update({key: FakeNotion(workspace=None).faults[key] for key in faults})
        env["BACKUP_RUN_ID"] = "after-the-fault"
        done = run_doit(project, env)
        assert done.returncode == ExitStatus.OK, (done.stdout + done.stderr)[-3000:]
        assert len(branch_log(remote)) == (1 if expected else 2)
        git("fsck", "--strict", cwd=remote)
        for secret in (fake.token_v2, fake.file_token):
            assert secret not in output + done.stdout + done.stderr


def test_locks_a_dead_run_left_in_a_path_remote_are_cleared(stand_in, tmp_path):
    project, remote = make_project(tmp_path)
    env = fake_env(stand_in)
    assert run_doit(project, env).returncode == ExitStatus.OK
    leftover = remote / "objects" / "pack" / "pack-0123456789abcdef0123456789abcdef01234567.idx.lock"
    leftover.parent.mkdir(parents=True, exist_ok=True)
    leftover.write_bytes(b"")
    # What a run killed mid-push leaves: its record in the run lock, and a lock file in the remote.
    (project / ".doit" / "run.lock").write_text('{"pid": 999999, "started": "2026-01-01T00:00:00+00:00"}')
    env["BACKUP_RUN_ID"] = "next-day"
    done = run_doit(project, env)
    assert done.returncode == ExitStatus.OK, done.stderr[-2000:]
    assert not leftover.exists()
    assert "died holding the lock" in done.stderr
    assert len(branch_log(remote)) == 2
    git("fsck", "--strict", cwd=remote)
