"""pull: fetch the snapshot branch and restore the previous snapshot when it is absent locally."""
import logging

from lib import git
from tasks import stage_action

log = logging.getLogger("pull")


def pull(cfg, layout):
    """Fetch `publish.branch` and restore official/ and manifests/ from its tip if missing here."""
    with git.locked_repo(cfg, layout) as repo:
        return fetch_and_restore(cfg, layout, repo, cfg["publish.remote"])


def fetch_and_restore(cfg, layout, repo, remote):
    """Fetch the branch (when a remote is set) and restore what is missing locally."""
    tip = None
    if remote:
        tip = git.fetch_branch(repo, remote, cfg["publish.branch"], git.push_credentials(cfg))
        log.info("remote %s: %s", cfg["publish.branch"], tip[:12] if tip else "no branch yet (first backup)")
    else:
        log.info("no remote configured (publish.remote is empty): local snapshots only")
    # The site comes back too, so a fresh CI runner renders only what changed.
    restored = git.restore_from_tip(repo, cfg["publish.branch"], layout.backups,
                                    parts=("official", "manifests", "site"),
                                    lfs_remote=git.lfs_remote(cfg, repo) if remote else None)
    return {"tip": tip, "restored": restored}


def tasks(cfg, layout):
    """Always runs: the remote check is cheap and keeps the gate's comparison honest."""
    return {
        "actions": [stage_action(layout, "pull", lambda: pull(cfg, layout))],
        "uptodate": [False],
        "verbosity": 2,
    }
