"""publish: commit backups/ (minus .staging) to the snapshot branch with dulwich and push it."""
import logging

from lib import git
from lib.core.errors import PublishError
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


def commit_snapshot(cfg, layout, repo, branch, replace=None):
    """Write the snapshot commit on top of the branch tip (`replace`: see git.snapshot_directory); return its
    result."""
    message = commit_message(layout)
    write_summary(layout, current_summary(layout, final=False))  # committed with the snapshot
    identity = f"{cfg['publish.committer_name']} <{cfg['publish.committer_email']}>"
    result = git.snapshot_directory(repo, layout.backups, branch, message, identity,
                                    max_file_bytes=int(cfg["publish.max_file_mb"] * 1024 * 1024),
                                    lfs=cfg["publish.lfs"], replace=replace)
    for skipped in result.get("skipped_large", []):
        log.warning("left out of the commit (over %g MB): %s (%d bytes)", cfg["publish.max_file_mb"],
                    skipped["path"], skipped["size"])
    return result


def check_remote(cfg, layout, repo, remote, branch, credentials, lfs):
    """Read back what the remote holds when BACKUP_VERIFY_REMOTE makes it due; record and return the result."""
    schedule = cfg["publish.verify_remote"]
    if not remote or not git.remote_check_due(schedule, read_json(layout.remote_check)):
        log.info("remote check: not due (BACKUP_VERIFY_REMOTE=%s)", schedule)
        return None
    result = git.check_remote(repo, remote, branch, credentials, lfs, layout.state_dir)
    write_json_atomic(layout.remote_check, result)
    return result


def publish(cfg, layout, tried=None):
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
        lfs = git.lfs_remote(cfg, repo) if remote else None
        if tried is not None:
            tried["lfs"] = lfs   # its retries go to failures.json when publish fails
        remote_tip = git.fetch_branch(repo, remote, branch, credentials) if remote else None
        clear_failures(layout)  # this run succeeded up to here: yesterday's failures are history
        replace = (run_id, remote_tip and remote_tip.encode()) if remote else None   # one run, one snapshot
        result = commit_snapshot(cfg, layout, repo, branch, replace)
        commit = result["commit"].decode() if isinstance(result["commit"], bytes) else result["commit"]
        if remote and remote_tip != commit:
            git.push_lfs_objects(repo, branch, lfs)   # objects first, then the commit
        pushed = remote and remote_tip != commit and git.push_branch(repo, remote, branch, credentials)
        checked = check_remote(cfg, layout, repo, remote, branch, credentials, lfs)
    log.info("%s %s on %s%s", "committed" if result["changed"] else "already there:", commit[:12], branch,
             f", pushed to {remote}" if pushed else "")
    write_json_atomic(layout.published, {"commit": commit, "run_id": run_id, "time": now_iso(),
                                         "skipped_large": result.get("skipped_large", []),
                                         "lfs": result.get("lfs", []), "remote_check": checked})
    if checked and not checked["ok"]:
        raise PublishError(f"the remote lacks part of {branch}: {checked['problem_count']} problem(s), first: "
                           f"{checked['problems'][0]}", hint="see manifests/remote_check.json; the objects this "
                           "run held were sent again; restore the remote from another copy for the rest")
    return {"commit": commit, "changed": result["changed"], "skipped_large": result.get("skipped_large", []),
            "lfs": len(result.get("lfs", []))}


def tasks(cfg, layout):
    """Always runs; a no-op when the tree equals the branch tip's tree (no empty commits)."""
    tried = {}

    def retries():
        """How hard the LFS transfers tried, for failures.json."""
        retrier = getattr(tried.get("lfs"), "retry", None)
        return {"http_retries": retrier.count} if retrier else None

    return {
        "actions": [stage_action(layout, "publish", lambda: publish(cfg, layout, tried), failure_facts=retries)],
        "uptodate": [False],
        "verbosity": 2,
    }
