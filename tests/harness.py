"""End-to-end harness: a throwaway copy of the project, a bare remote, and `doit` in a subprocess."""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROJECT_FILES = ("dodo.py", "backup.config.yaml", "lib", "tasks")
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t", "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent"}


def config_for(env):
    """A Config loaded the product's way from environment-style `env` alone (no config file, no .env)."""
    from lib.config import load_config
    empty = Path(tempfile.gettempdir()) / "notion-git-backup-tests-empty-root"
    empty.mkdir(exist_ok=True)
    return load_config(empty, {key: str(value) for key, value in env.items()})


def git(*args, cwd=None, check=True):
    """Run the real git binary (tests only) and return its stdout."""
    env = {**os.environ, **GIT_ENV}
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {done.stderr}")
    return done.stdout


def make_project(base):
    """Copy the product into base/project as a user's clone would have it, with a bare remote."""
    base = Path(base)
    project, remote = base / "project", base / "remote.git"
    project.mkdir(parents=True)
    for name in PROJECT_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, project / name)
    (project / ".gitignore").write_text("backups/\n.env\n.doit/\n.venv/\n__pycache__/\n")
    git("init", "-q", "-b", "main", str(project))
    git("add", "-A", cwd=project)
    git("commit", "-q", "-m", "project", cwd=project)
    git("init", "-q", "--bare", str(remote))
    git("remote", "add", "origin", str(remote), cwd=project)
    return project, remote


def fake_env(fake, **extra):
    """Return the environment that points the product at a FakeNotion stand-in."""
    env = dict(fake.env())
    # The stand-in completes an export in a few polls; poll it fast so a run takes seconds.
    env.update(OFFICIAL_WORKSPACE_POLL_INTERVAL_SECONDS="0.05", OFFICIAL_WORKSPACE_NOTIFICATION_INTERVAL_SECONDS="0.05")
    env.update({key: str(value) for key, value in extra.items()})
    return env


def doit_command(*args):
    """Return the argv that runs doit with the current interpreter."""
    return [sys.executable, "-m", "doit", *args]


def base_env(project, env):
    """Return a clean environment for a product run (no secrets inherited from this process)."""
    clean = {key: value for key, value in os.environ.items()
             if not key.startswith(("NATIVE_EXPORT", "NOTION_", "OFFICIAL_", "QUALITY_", "BACKUP_", "GITHUB_"))}
    clean.update(GIT_ENV)
    clean["PYTHONDONTWRITEBYTECODE"] = "1"
    clean.update(env)
    return clean


def run_doit(project, env, *args, timeout=300):
    """Run doit in `project` and return the CompletedProcess (stdout and stderr as text)."""
    return subprocess.run(doit_command(*args), cwd=project, env=base_env(project, env), capture_output=True,
                          text=True, timeout=timeout)


def run_doit_and_kill(project, env, stage, sig=signal.SIGKILL, delay=0.0, timeout=300, *args):
    """Start doit, send `sig` once the `stage` task has started, and return (returncode, output, killed)."""
    process = subprocess.Popen(doit_command(*args), cwd=project, env=base_env(project, env),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output, started = [], threading.Event()

    def read():
        # A reader thread: a killed run's orphaned children may keep the pipe open, so never wait for EOF.
        for line in process.stdout:
            output.append(line)
            if line.strip() in (f". {stage}", f".  {stage}"):
                started.set()

    threading.Thread(target=read, daemon=True).start()
    killed = False
    deadline = time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        if started.wait(0.01):
            time.sleep(delay)
            process.send_signal(sig)
            killed = True
            break
    try:
        process.wait(timeout=max(deadline - time.monotonic(), 1))
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    time.sleep(0.05)
    return process.returncode, "".join(output), killed


def branch_log(remote, branch="notion-backups"):
    """Return the list of commit subjects on `branch` in `remote`, newest first ([] when absent)."""
    heads = git("for-each-ref", "--format=%(refname)", "refs/heads/", cwd=remote)
    if f"refs/heads/{branch}" not in heads.split():
        return []
    return git("log", "--format=%s", branch, cwd=remote).splitlines()
