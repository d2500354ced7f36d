"""verify and snapshots: check the snapshot branch, and list its snapshots with what changed."""
import logging

from lib import git
from lib.errors import PublishError
from tasks import stage_action

log = logging.getLogger("verify")


def verify(cfg, layout):
    """Fetch the branch, then check tip tree vs snapshot.json, every object, and linear history."""
    repo = git.open_backup_repo(layout)
    if cfg["publish.remote"]:
        git.fetch_branch(repo, cfg["publish.remote"], cfg["publish.branch"], git.push_credentials(cfg))
    result = git.verify_branch(repo, cfg["publish.branch"])
    if result["commit"] is None:
        where = f"here nor on {cfg['publish.remote']}" if cfg["publish.remote"] else "here (no remote configured)"
        raise PublishError(f"nothing to verify: there is no snapshot yet ({cfg['publish.branch']} exists neither {where})",
                           hint="run a backup first, or check BACKUP_BRANCH and BACKUP_GIT_REMOTE")
    if not result["ok"]:
        raise PublishError(f"{cfg['publish.branch']} failed verification ({result.get('problem_count', 0)} "
                           "problems): " + "; ".join(result["problems"][:20]),
                           hint="the branch was not changed; restore from an earlier good commit if needed")
    return {key: result[key] for key in ("commit", "commits", "files_checked", "objects_checked")}


def snapshots(cfg, layout, limit=30):
    """Log one line per snapshot, newest first: date, run id, pages, and pages added/removed/changed."""
    rows = git.list_snapshots(git.open_backup_repo(layout), cfg["publish.branch"], limit=limit or None)
    if not rows:
        log.info("no snapshots on %s yet", cfg["publish.branch"])
    for row in rows:
        counts = row.get("counts", {})
        log.info("%s %s %-20s %5d pages  +%d -%d ~%d", row["commit"][:12], row.get("date", ""),
                 row.get("run_id") or "?", counts.get("md", 0), row["added"], row["removed"], row["changed"])
    return {"snapshots": len(rows)}


def verify_tasks(cfg, layout):
    """Manual: `doit verify` exits 1 with the differences when the branch is not sound."""
    return {"actions": [stage_action(layout, "verify", lambda: verify(cfg, layout))],
            "uptodate": [False], "verbosity": 2}


def snapshots_tasks(cfg, layout):
    """Manual: `doit snapshots [--limit N]` lists snapshots, newest first."""
    return {"actions": [stage_action(layout, "snapshots", lambda limit=30: snapshots(cfg, layout, limit))],
            "params": [{"name": "limit", "long": "limit", "type": int, "default": 30,
                        "help": "how many snapshots to list (0 = all)"}],
            "uptodate": [False], "verbosity": 2}
