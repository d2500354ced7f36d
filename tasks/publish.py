"""publish: commit backups/ (minus .staging) to the snapshot branch with dulwich and push it."""
import logging

from lib import git
from lib.snapshot import snapshot_changes
from lib.core.fsutil import read_json, write_json_atomic
from lib.core.clock import now_iso
from lib.run import clear_failures, current_summary, write_summary
from tasks import stage_action

log = logging.getLogger("publish")


def commit_message(layout):
    """The commit message, from snapshot.json and the previous one (read here and let go before the commit:
    for 50,000 pages each manifest is tens of megabytes in memory)."""
    snapshot = read_json(layout.snapshot)
    gate = read_json(layout.coverage_report, {})
    changes = snapshot_changes(snapshot, read_json(layout.previous_snapshot))
    return git.format_message(snapshot.get("run_id"), snapshot.get("counts", {}),
                              gate.get("verdict", "passed"), git.tool_version(), changes)


def commit_snapshot(cfg, layout, repo, branch):
    """Write the snapshot commit on top of the branch tip; return snapshot_directory's result."""
    message = commit_message(layout)
    write_summary(layout, current_summary(layout, final=False))  # committed with the snapshot
    identity = f"{cfg['publish.committer_name']} <{cfg['publish.committer_email']}>"
    result = git.snapshot_directory(repo, layout.backups, branch, message, identity,
                                    max_file_bytes=int(cfg["publish.max_file_mb"] * 1024 * 1024),
                                    lfs=cfg["publish.lfs"])
    for skipped in result.get("skipped_large", []):
        log.warning("left out of the commit (over %g MB): %s (%d bytes)", cfg["publish.max_file_mb"],
                    skipped["path"], skipped["size"])
    return result


def publish(cfg, layout):
    """Fetch the remote tip, commit backups/ on top of it unless the tip holds the same tree, push, confirm.

    Whatever changed (a new export, the site, a public-API capture alone) makes a snapshot; a tree equal to the
    tip's, the run summary aside, makes none (also the case of a run killed after its commit).
    """
    if not layout.snapshot.exists():
        log.info("no promoted snapshot yet: nothing to publish")
        return {"changed": False}
    run_id = (read_json(layout.snapshot) or {}).get("run_id")
    branch, remote, credentials = cfg["publish.branch"], cfg["publish.remote"], git.push_credentials(cfg)
    with git.locked_repo(cfg, layout) as repo:
        remote_tip = git.fetch_branch(repo, remote, branch, credentials) if remote else None
        clear_failures(layout)  # this run succeeded up to here: yesterday's failures are history
        result = commit_snapshot(cfg, layout, repo, branch)
        commit = result["commit"].decode() if isinstance(result["commit"], bytes) else result["commit"]
        if remote and remote_tip != commit:
            git.push_lfs_objects(repo, branch, git.lfs_remote(cfg, repo))   # objects first, then the commit
        pushed = remote and remote_tip != commit and git.push_branch(repo, remote, branch, credentials)
    log.info("%s %s on %s%s", "committed" if result["changed"] else "already there:", commit[:12], branch,
             f", pushed to {remote}" if pushed else "")
    write_json_atomic(layout.published, {"commit": commit, "run_id": run_id, "time": now_iso(),
                                         "skipped_large": result.get("skipped_large", []),
                                         "lfs": result.get("lfs", [])})
    return {"commit": commit, "changed": result["changed"], "skipped_large": result.get("skipped_large", []),
            "lfs": len(result.get("lfs", []))}


def tasks(cfg, layout):
    """Always runs; a no-op when the tree equals the branch tip's tree (no empty commits)."""
    return {
        "actions": [stage_action(layout, "publish", lambda: publish(cfg, layout))],
        "uptodate": [False],
        "verbosity": 2,
    }
