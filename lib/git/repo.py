"""Which git repository holds the snapshots, and the push credentials."""
import contextlib
import os
import time
from pathlib import Path

from dulwich.repo import Repo

from lib import __version__
from lib.config.rules import credential_problem
from lib.git.lfs_remote import endpoint, open_remote
from lib.git.objects import open_repo
from lib.git.remote import resolve_remote
from lib.git.runlock import clear_dead_run_remote_locks, run_lock


def backup_repo_path(layout):
    """Return where the snapshots' repository is (it may not exist yet): the project's checkout, else .doit/."""
    root = Path(layout.root)
    return root if (root / ".git").exists() else layout.state_dir / "backup.git"


def open_backup_repo(layout):
    """Return the repository path: the project's own checkout, else a bare cache under .doit/ (created here)."""
    cache = backup_repo_path(layout)
    if not cache.exists():
        cache.parent.mkdir(parents=True, exist_ok=True)
        Repo.init_bare(str(cache), mkdir=True).close()
    return cache


def push_credentials(cfg):
    """Return (username, password) for HTTPS pushes, or None when no token is configured."""
    token = cfg.secret("BACKUP_PUSH_TOKEN") or cfg.secret("GITHUB_TOKEN")
    return ("x-access-token", token) if token else None


def lfs_credentials(cfg, url, location):
    """Return the credentials the LFS endpoint `url` gets, by the rule the configuration was checked with:
    BACKUP_LFS_TOKEN when set; else the push token, only to the remote's own host over https; else none."""
    own = cfg.secret("BACKUP_LFS_TOKEN")
    if url.startswith("file://") or credential_problem(url, location, own) is not None:
        return None
    return ("x-access-token", own) if own else push_credentials(cfg)


def lfs_remote(cfg, repo_path):
    """Return the remote's Git LFS store (BACKUP_LFS_URL, else beside the remote), or None without either."""
    remote, url = cfg["publish.remote"], cfg["publish.lfs_url"]
    if not remote and not url:
        return None
    with open_repo(repo_path) as repo:
        location = resolve_remote(repo, remote) if remote else ""
    target = endpoint(url, location)
    return open_remote(target, lfs_credentials(cfg, target, location))


def tool_version():
    """Return the tool's version string recorded in snapshot commits."""
    return f"notion-git-backup {__version__}"


@contextlib.contextmanager
def locked_repo(cfg, layout):
    """Yield the backup repository under the run lock, after clearing what a dead previous run left behind.

    The run lock clears the dead run's locks in our own repository; a local-path remote is written by our
    own process too, so its leftovers are cleared here (a URL remote's server cleans up after itself).
    """
    repo = open_backup_repo(layout)
    branch, remote = cfg["publish.branch"], cfg["publish.remote"]
    with run_lock(layout.lock_file, repo_path=repo, branch=branch) as lock:
        if lock["stale"] and remote:
            with open_repo(repo) as handle:
                location = resolve_remote(handle, remote)
            if os.path.isdir(location):
                clear_dead_run_remote_locks(location, branch, time.time())
        yield repo
