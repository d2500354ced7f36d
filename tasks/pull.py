"""pull: fetch the snapshot branch (its trees, not its attachments); restore the last snapshot's manifests and site."""
import logging

from lib import git
from lib.core.fsutil import read_json
from lib.snapshot import prune_staging
from tasks import stage_action

log = logging.getLogger("pull")


def pull(cfg, layout):
    """Fetch `publish.branch` and restore manifests/ and site/ (official/ when its blobs are here) from its tip."""
    with git.locked_repo(cfg, layout) as repo:
        return fetch_and_restore(cfg, layout, repo, cfg["publish.remote"])


def fetch_and_restore(cfg, layout, repo, remote):
    """Fetch the branch (when a remote is set) and restore what is missing locally.

    The fetch is blobless where the remote filters (GitHub, smart HTTP): the next commit is built from the tip's
    trees, so the attachments' blobs never come to a fresh runner; what a restore reads is fetched by id.
    """
    tip, fetch = None, None
    if remote:
        credentials = git.push_credentials(cfg)
        tip = git.fetch_branch(repo, remote, cfg["publish.branch"], credentials, blobless=True)
        log.info("remote %s: %s", cfg["publish.branch"], tip[:12] if tip else "no branch yet (first backup)")
        fetch = lambda shas, into=None: git.fetch_blobs(repo, remote, shas, credentials, into)  # noqa: E731
    else:
        log.info("no remote configured (publish.remote is empty): local snapshots only")
    # The site comes back too, so a fresh CI runner renders only what changed.
    restored = git.restore_from_tip(repo, cfg["publish.branch"], layout.backups,
                                    parts=("official", "manifests", "site"),
                                    lfs_remote=git.lfs_remote(cfg, repo) if remote else None, fetch=fetch)
    # The last run's ZIP is promoted already: over the budget it goes before today's download comes.
    snapshot = read_json(layout.snapshot, {}) or {}
    pruned = prune_staging(layout.staging, cfg["retention.zip_keep_days"], current_run=layout.run_id,
                           last_good_run=snapshot.get("run_id"),
                           keep_bytes=int(cfg["retention.zip_keep_gb"] * 1024 ** 3))
    return {"tip": tip, "restored": restored, "pruned": pruned}


def tasks(cfg, layout):
    """Always runs: the remote check is cheap and keeps the gate's comparison honest."""
    return {
        "actions": [stage_action(layout, "pull", lambda: pull(cfg, layout))],
        "uptodate": [False],
        "verbosity": 2,
    }
