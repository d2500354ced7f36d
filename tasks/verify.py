"""verify and snapshots: check the snapshot branch, and list its snapshots with what changed."""
import logging

from lib import git
from lib.core.errors import PublishError
from tasks import DEEP, fetch_backup_repo, stage_action

log = logging.getLogger("verify")


def verify(cfg, layout, deep=False):
    """Fetch the branch, then check tip tree vs snapshot.json, every object, and linear history."""
    repo = fetch_backup_repo(cfg, layout, 0 if deep else None)
    remote, credentials = cfg["publish.remote"], git.push_credentials(cfg)
    fetch = (lambda shas: git.fetch_blobs(repo, remote, shas, credentials)) if remote else None  # noqa: E731
    result = git.verify_branch(repo, cfg["publish.branch"], fetch=fetch)
    if result["commit"] is None:
        where = f"here nor on {cfg['publish.remote']}" if cfg["publish.remote"] else "here (no remote configured)"
        raise PublishError(f"nothing to verify: there is no snapshot yet ({cfg['publish.branch']} exists neither {where})",
                           hint="run a backup first, or check BACKUP_BRANCH and BACKUP_GIT_REMOTE")
    store = git.lfs_remote(cfg, repo) if result["lfs"] else None
    if store is not None:
        # The pointers match snapshot.json; the objects themselves must be in the remote's LFS store.
        gone = set(store.missing(sorted({(oid, size) for _, oid, size in result["lfs"]})))
        result["problems"] += [f"{path}: Git LFS object {oid} is missing from {store.where}"
                               for path, oid, size in result["lfs"] if (oid, size) in gone]
        result["ok"] = result["ok"] and not gone
        result["problem_count"] = len(result["problems"])
    if not result["ok"]:
        raise PublishError(f"{cfg['publish.branch']} failed verification ({result.get('problem_count', 0)} "
                           "problems): " + "; ".join(result["problems"][:20]),
                           hint="the branch was not changed; restore from an earlier good commit if needed")
    if result["shallow"]:
        log.info("checked the %d snapshot(s) this repository holds; `doit verify --deep` fetches and checks the "
                 "whole history", result["commits"])
    if result["lfs"]:
        log.info("%d file(s) of the tip are in Git LFS%s", len(result["lfs"]),
                 f", every object present in {store.where}" if store else " (no remote LFS store to check)")
    return {key: result[key] for key in ("commit", "commits", "files_checked", "objects_checked", "shallow")}


def snapshots(cfg, layout, limit=30, deep=False):
    """Log one line per snapshot, newest first: date, run id, pages, and pages added/removed/changed."""
    repo = fetch_backup_repo(cfg, layout, limit + 1 if limit else 0) if deep else git.open_backup_repo(layout)
    rows = git.list_snapshots(repo, cfg["publish.branch"], limit=limit or None)
    if not rows:
        log.info("no snapshots on %s yet", cfg["publish.branch"])
    for row in rows:
        counts = row.get("counts", {})
        change = ("(older history not fetched: doit snapshots --deep)" if row["added"] is None
                  else f"+{row['added']} -{row['removed']} ~{row['changed']}")
        log.info("%s %s %-20s %5d pages  %s", row["commit"][:12], row.get("date", ""), row.get("run_id") or "?",
                 counts.get("md", 0), change)
    return {"snapshots": len(rows)}


def verify_tasks(cfg, layout):
    """Manual: `doit verify [--deep]` exits 1 with the differences when the branch is not sound."""
    return {"actions": [stage_action(layout, "verify", lambda deep=False: verify(cfg, layout, deep))],
            "params": [DEEP], "uptodate": [False], "verbosity": 2}


def snapshots_tasks(cfg, layout):
    """Manual: `doit snapshots [--limit N] [--deep]` lists snapshots, newest first."""
    return {"actions": [stage_action(layout, "snapshots",
                                     lambda limit=30, deep=False: snapshots(cfg, layout, limit, deep))],
            "params": [{"name": "limit", "long": "limit", "type": int, "default": 30,
                        "help": "how many snapshots to list (0 = all)"}, DEEP],
            "uptodate": [False], "verbosity": 2}
