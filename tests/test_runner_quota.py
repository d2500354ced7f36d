"""A standard CI runner scaled down: a workspace backs up inside a disk quota sized from its export and a memory
limit on every stage's process, day 1 and a fresh runner's day 2; crossing either limit fails the run.

The disk is a tmpfs of fixed size holding the whole project (backups/, .git, .doit, the product's own files);
the memory limit is RLIMIT_AS on each `doit <stage>` process (this kernel gives cgroup v2 no memory
controller). The remote is a bare repository behind smart HTTP that filters fetches, as GitHub's does.
"""
import json
import resource
import shutil
import subprocess
import threading

import pytest

from tasks import STAGES
from tests.fakes.exports import FakeWorkspace
from tests.fakes.notion_internal import FakeNotion
from tests.harness import GIT_ENV, base_env, doit_command, fake_env, make_project
from tests.lib.git.gitutil import GitHTTPServer, git

pytestmark = pytest.mark.long

TOKEN = "ghs_QuotaRunnerToken1234567890"
# Attachments weigh most, as in a real workspace; tmpfs rounds every small file up to a 4 KiB page.
WORKSPACE = dict(seed=24, pages=240, databases=4, rows_per_database=5, attachments=60, attachment_bytes=600_000,
                 day_edits=0.02)
# Disk, over the export's size. Day 2 on a fresh runner: the target (the ZIP and the new tree, 2.15x
# here, are its floor). Day 1 holds the snapshot and its git objects at once, each 1x for these incompressible
# attachments, plus the site and the small files' 4 KiB pages on tmpfs: 2.28x here.
DISK = {"day 1": 2.4, "day 2 (fresh runner)": 2.2}
MEMORY = {"render": 1200 << 20}     # virtual memory: the render pool's workers are processes of their own
MEMORY_DEFAULT = 900 << 20


def used_bytes(mount):
    """Bytes the file system holds now (what its quota counts)."""
    usage = shutil.disk_usage(mount)
    return usage.total - usage.free


@pytest.fixture
def quota(tmp_path):
    """Mount a tmpfs (root only) and yield a function that sets its size; unmounted after."""
    mounts = []

    def mount(name):
        where = tmp_path / name
        where.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(where)], capture_output=True)
        if done.returncode:
            pytest.skip(f"cannot mount a tmpfs of fixed size here (needs root): {done.stderr.decode().strip()}")
        mounts.append(where)
        return where
    yield mount
    for where in mounts:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def resize(mount, size):
    subprocess.run(["mount", "-o", f"remount,size={size}", str(mount)], check=True)


def limit_memory(limit):
    """The preexec_fn of a stage's process: its address space may not grow past `limit`."""
    def apply():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return apply


def run_day(project, env, label, mount, export_bytes):
    """Every stage as its own doit process under its memory limit; fail on the first that does not finish.

    Returns each stage's peak use of the file system over the export's size (sampled: read by people)."""
    peaks, base = {}, used_bytes(mount) - sum(du(project / name) for name in ("backups", ".doit"))
    for stage in STAGES:
        with Sampler(mount) as sampler:
            done = subprocess.run(doit_command(stage), cwd=project, env=base_env(project, env), capture_output=True,
                                  text=True, timeout=900,
                                  preexec_fn=limit_memory(MEMORY.get(stage, MEMORY_DEFAULT)))
        peaks[stage] = round((sampler.peak - base) / export_bytes, 2)
        assert done.returncode == 0, f"{label}: {stage} failed; peaks {peaks}\n{(done.stdout + done.stderr)[-3000:]}"
    return peaks


def du(path):
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


class Sampler:
    """The peak use of a file system while a stage runs, sampled every 50 ms."""

    def __init__(self, mount):
        self.mount, self.peak, self.stop = mount, used_bytes(mount), threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self.stop.wait(0.05):
            self.peak = max(self.peak, used_bytes(self.mount))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        self.peak = max(self.peak, used_bytes(self.mount))


def quota_project(mount, export_bytes, ratio):
    """A project inside `mount`, the file system then sized to its own files plus `ratio` times the export."""
    project, _ = make_project(mount)
    shutil.rmtree(mount / "remote.git")   # the remote is the server's disk, not the runner's
    resize(mount, used_bytes(mount) + int(ratio * export_bytes))
    return project


def test_a_workspace_backs_up_inside_the_runner_limits(tmp_path, quota):
    workspace = FakeWorkspace(**WORKSPACE)
    export_bytes = workspace.total_bytes()
    remote = tmp_path / "remote.git"
    git("init", "-q", "--bare", str(remote))
    git("--git-dir", str(remote), "config", "uploadpack.allowFilter", "true")
    with FakeNotion(workspace=workspace) as fake, GitHTTPServer(tmp_path, password=TOKEN) as server:
        env = fake_env(fake, BACKUP_GIT_REMOTE=server.url("remote.git"), BACKUP_PUSH_TOKEN=TOKEN,
                       QUALITY_MIN_MD_COUNT=10, QUALITY_MIN_CSV_COUNT=1, RENDER_WORKERS=2,
                       # The read-back of the remote (issue 22) on both days: the tip's commit and trees and a
                       # sample of files fetched by id, inside the same budget.
                       BACKUP_VERIFY_REMOTE="daily")
        laptop = quota_project(quota("day1"), export_bytes, DISK["day 1"])
        day1 = run_day(laptop, dict(env, BACKUP_RUN_ID="day-1"), "day 1", laptop.parent, export_bytes)
        fake.set_day(1)
        fresh = quota_project(quota("day2"), export_bytes, DISK["day 2 (fresh runner)"])
        day2 = run_day(fresh, dict(env, BACKUP_RUN_ID="day-2"), "day 2 (fresh runner)", fresh.parent, export_bytes)
    print(f"peak disk over the export, by stage: day 1 {day1}; day 2 (fresh runner) {day2}")
    for project in (laptop, fresh):   # the read-back ran inside the budget, blobless: the remote filters
        check = json.loads((project / "backups" / "manifests" / "remote_check.json").read_text())
        assert check["ok"] and check["read_back"] == "trees" and check["sampled"] > 0, check
    log = subprocess.run(["git", "--git-dir", str(remote), "log", "--format=%s", "notion-backups"],
                         capture_output=True, text=True, check=True, env=GIT_ENV).stdout.splitlines()
    assert [line.split(":")[0] for line in log] == ["Snapshot day-2", "Snapshot day-1"]
    fsck = subprocess.run(["git", "--git-dir", str(remote), "fsck", "--strict", "--no-dangling"],
                          capture_output=True, text=True, env=GIT_ENV)
    assert fsck.returncode == 0, fsck.stderr
