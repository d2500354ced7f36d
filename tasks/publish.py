"""publish: commit backups/ (minus .staging) to the snapshot branch with dulwich and push it."""
import hashlib
import logging

from lib import git_remote, git_snapshot
from lib.fsutil import read_json, write_json_atomic
from lib.git_repo import local_tip, open_backup_repo, push_credentials, tool_version
from lib.report import clear_failures, now_iso
from lib.runlock import run_lock
from lib.summary import current_summary, write_summary
from tasks import stage_action

log = logging.getLogger("publish")


def content_digest(layout):
    """Return a digest of what a snapshot commit carries: the snapshot and site manifests."""
    digest = hashlib.sha256()
    for path in (layout.snapshot, layout.site_manifest):
        digest.update(path.read_bytes() if path.exists() else b"-")
    return digest.hexdigest()


def publish(cfg, layout):
    """Fetch the remote tip, commit a snapshot on top of it when the tree changed, push, confirm."""
    snapshot = read_json(layout.snapshot)
    if snapshot is None:
        log.info("no promoted snapshot yet: nothing to publish")
        return {"changed": False}
    repo = open_backup_repo(layout)
    branch, remote, credentials = cfg["publish.branch"], cfg["publish.remote"], push_credentials(cfg)
    digest = content_digest(layout)
    with run_lock(layout.lock_file, repo_path=repo, branch=branch):
        tip = git_remote.fetch_branch(repo, remote, branch, credentials) if remote else local_tip(repo, branch)
        last = read_json(layout.published, {})
        if last.get("digest") == digest and last.get("commit") == tip:
            log.info("snapshot %s is already published as %s: nothing to do", snapshot.get("run_id"), tip[:12])
            return {"commit": tip, "changed": False}
        clear_failures(layout)  # this run succeeded up to here: yesterday's failures are history
        gate = read_json(layout.manifests / "coverage_report.json", {})
        message = git_snapshot.format_message(snapshot.get("run_id"), snapshot.get("counts", {}),
                                              gate.get("verdict", "passed"), tool_version())
        write_summary(layout, current_summary(layout, final=False))  # committed with the snapshot
        identity = f"{cfg['publish.committer_name']} <{cfg['publish.committer_email']}>"
        result = git_snapshot.snapshot_directory(
            repo, layout.backups, branch, message, identity,
            max_file_bytes=int(cfg["publish.max_file_mb"] * 1024 * 1024))
        for skipped in result.get("skipped_large", []):
            log.warning("left out of the commit (over %g MB): %s (%d bytes)", cfg["publish.max_file_mb"],
                        skipped["path"], skipped["size"])
        pushed = git_remote.push_branch(repo, remote, branch, credentials) if remote else None
    commit = result["commit"].decode() if isinstance(result["commit"], bytes) else result["commit"]
    log.info("%s %s on %s%s", "committed" if result["changed"] else "unchanged, tip stays", commit[:12], branch,
             f", pushed to {remote}" if pushed else "")
    write_json_atomic(layout.published, {"commit": commit, "digest": digest, "run_id": snapshot.get("run_id"), "time": now_iso(),
                                         "skipped_large": result.get("skipped_large", [])})
    return {"commit": commit, "changed": result["changed"], "skipped_large": result.get("skipped_large", [])}


def tasks(cfg, layout):
    """Always runs; a no-op when the tree equals the branch tip's tree (no empty commits)."""
    return {
        "actions": [stage_action(layout, "publish", lambda: publish(cfg, layout))],
        "uptodate": [False],
        "verbosity": 2,
    }
