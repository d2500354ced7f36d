"""Which git repository holds the snapshots, and the push credentials."""
from pathlib import Path

from lib import __version__


def open_backup_repo(layout):
    """Return the repository path: the project's own checkout, else a bare cache under .doit/."""
    root = Path(layout.root)
    if (root / ".git").exists():
        return root
    cache = root / ".doit" / "backup.git"
    if not cache.exists():
        from dulwich.repo import Repo
        cache.parent.mkdir(parents=True, exist_ok=True)
        Repo.init_bare(str(cache), mkdir=True).close()
    return cache


def push_credentials(cfg):
    """Return (username, password) for HTTPS pushes, or None when no token is configured."""
    token = cfg.secret("BACKUP_PUSH_TOKEN") or cfg.secret("GITHUB_TOKEN")
    return ("x-access-token", token) if token else None


def tool_version():
    """Return the tool's version string recorded in snapshot commits."""
    return f"notion-git-backup {__version__}"


def local_tip(repo_path, branch):
    """Return the local tip (hex str) of `branch`, or None when the branch does not exist."""
    from lib.git_snapshot import branch_ref, open_repo, read_ref
    with open_repo(repo_path) as repo:
        tip = read_ref(repo, branch_ref(branch))
    return tip.decode() if tip else None


def tip_file(repo_path, branch, path):
    """Return the bytes of `path` (e.g. 'manifests/snapshot.json') at the branch tip, or None."""
    from lib.git_snapshot import branch_ref, open_repo, read_ref
    with open_repo(repo_path) as repo:
        tip = read_ref(repo, branch_ref(branch))
        if tip is None:
            return None
        tree = repo[repo[tip].tree]
        try:
            for part in path.encode().split(b"/"):
                mode, sha = tree[part]
                tree = repo[sha]
        except KeyError:
            return None
        return tree.as_raw_string()


def clear_remote_leftovers(repo_path, remote, branch):
    """Our last run died holding the run lock: clear the lock files it left in a local-path remote.

    A URL remote's server cleans up after itself; a path remote is written by our own process.
    """
    import os
    import time
    from lib.git_remote import resolve_remote
    from lib.git_snapshot import open_repo
    from lib.runlock import clear_dead_run_remote_locks
    with open_repo(repo_path) as repo:
        location = resolve_remote(repo, remote)
    if os.path.isdir(location):
        clear_dead_run_remote_locks(location, branch, time.time())
