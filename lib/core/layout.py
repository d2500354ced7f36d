"""Every on-disk location of a backup, named once."""
from dataclasses import dataclass
from pathlib import Path

# What the snapshot branch holds, as it names it (its root is backups/); the Layout derives from these.
OFFICIAL = "official"
SITE = "site"
MANIFESTS = "manifests"
JSON = "json"
SNAPSHOT = f"{MANIFESTS}/snapshot.json"
SITE_MANIFEST = f"{MANIFESTS}/site.json"
RUN_SUMMARY = f"{MANIFESTS}/run_summary.json"
SKIPPED_LARGE = f"{MANIFESTS}/skipped_large_files.json"
# What the last check of the remote found (lib/git/remote_check.py); committed with the next snapshot.
REMOTE_CHECK = f"{MANIFESTS}/remote_check.json"
STAGING = ".staging"
# Inside a run's staging folder: the download(s), which retention bounds (lib/snapshot/promote.py).
EXPORT_ZIP = "export.zip"
ADMIN_DOWNLOADS = "admin_downloads"
# In the git directory: what each file of the last snapshot hashed to (lib/git/statcache.py).
GIT_STAT_CACHE = "notion-backup-stat-cache.json"
# Inside json/: the public-API capture's index of every object, and the workspace's users.
CAPTURE_INDEX = "index.json"
CAPTURE_USERS = "users.json"
# Inside json/: how far an unfinished capture got (its time budget ran out); gone once a capture completes.
CAPTURE_PROGRESS = "capture_progress.json"


def _at(*parts):
    """A path property below the backups directory."""
    return property(lambda self: self.backups.joinpath(*parts))


def _in_run(name):
    """A path property in this run's staging folder."""
    return property(lambda self: self.run_dir / name)


def _in_state(name):
    """A path property in the checkout's doit state folder."""
    return property(lambda self: self.state_dir / name)


@dataclass(frozen=True)
class Layout:
    """The runtime layout under the backups directory for one run id."""

    root: Path
    backups: Path
    run_id: str
    workspace: str = None   # a named workspace (`workspaces:` in the config) has its own backups/ and state

    @classmethod
    def for_config(cls, cfg):
        """Return the layout for a loaded Config."""
        backups = Path(cfg["run.backups_dir"])
        if not backups.is_absolute():
            backups = cfg.root / backups
        if cfg.workspace:
            backups = backups / cfg.workspace
        return cls(root=cfg.root, backups=backups, run_id=cfg.run_id, workspace=cfg.workspace)

    official = _at(OFFICIAL)
    site = _at(SITE)
    manifests = _at(MANIFESTS)
    json = _at(JSON)
    capture_index = _at(JSON, CAPTURE_INDEX)
    staging = _at(STAGING)
    # manifests/: what a snapshot commit carries besides the export and the site
    snapshot = _at(SNAPSHOT)
    site_manifest = _at(SITE_MANIFEST)
    previous_snapshot = _at(MANIFESTS, "previous_snapshot.json")
    run_summary = _at(RUN_SUMMARY)
    remote_check = _at(REMOTE_CHECK)
    failures = _at(MANIFESTS, "failures.json")
    coverage_report = _at(MANIFESTS, "coverage_report.json")
    workspace_export = _at(MANIFESTS, "workspace_export.json")
    api_capture = _at(MANIFESTS, "api_capture.json")
    roots = _at(MANIFESTS, "roots.json")
    promote_journal = _at(".promote-journal.json")
    published = _at(STAGING, "published.json")
    # .staging/<run>/: one run's work area
    run_dir = property(lambda self: self.staging / self.run_id)
    export_zip = _in_run(EXPORT_ZIP)
    export_state = _in_run("export.json")
    admin_export_state = _in_run("admin_export.json")
    admin_downloads = _in_run(ADMIN_DOWNLOADS)
    unpacked = _in_run("unpacked")
    unpacked_manifest = _in_run("unpacked.json")
    tree = _in_run("tree")
    tree_manifest = _in_run("tree.json")
    counts = _in_run("counts.json")
    gate = _in_run("gate.json")
    promoted = _in_run("promoted.json")
    stages = _in_run("stages.json")
    api_markdown = _in_run("api_markdown")
    # .doit/: state of this checkout, never published
    state_dir = property(lambda self: self.root / ".doit" / self.workspace if self.workspace else self.root / ".doit")
    doit_db = _in_state("doit.sqlite")
    manual_stages = _in_state("manual_stages.json")  # outcomes of manual tasks (render, verify, ...) alone
    branch_checked = _in_state("branch_checked.json")  # {branch: tip} whose whole history held snapshots only
    lock_file = _in_state("run.lock")
    invocation_lock = _in_state("invocation.lock")

    def restore_journal(self, tag):
        """The journal that makes a restore into Notion resumable."""
        return self.state_dir / f"restore-{tag}.journal"

    def restore_report(self, tag):
        """The report of a restore into Notion."""
        return self.state_dir / f"restore-{tag}.report.json"
