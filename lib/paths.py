"""Every on-disk location of a backup, named once."""
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Layout:
    """The runtime layout under the backups directory for one run id."""

    root: Path
    backups: Path
    run_id: str

    @classmethod
    def for_config(cls, cfg):
        """Return the layout for a loaded Config."""
        backups = Path(cfg["run.backups_dir"])
        if not backups.is_absolute():
            backups = cfg.root / backups
        return cls(root=cfg.root, backups=backups, run_id=cfg.run_id)

    official = property(lambda self: self.backups / "official")
    site = property(lambda self: self.backups / "site")
    manifests = property(lambda self: self.backups / "manifests")
    json = property(lambda self: self.backups / "json")
    staging = property(lambda self: self.backups / ".staging")
    run_dir = property(lambda self: self.staging / self.run_id)
    export_zip = property(lambda self: self.run_dir / "export.zip")
    unpacked = property(lambda self: self.run_dir / "unpacked")
    unpacked_manifest = property(lambda self: self.run_dir / "unpacked.json")
    tree = property(lambda self: self.run_dir / "tree")
    tree_manifest = property(lambda self: self.run_dir / "tree.json")
    counts = property(lambda self: self.run_dir / "counts.json")
    gate = property(lambda self: self.run_dir / "gate.json")
    promoted = property(lambda self: self.run_dir / "promoted.json")
    snapshot = property(lambda self: self.manifests / "snapshot.json")
    previous_snapshot = property(lambda self: self.manifests / "previous_snapshot.json")
    site_manifest = property(lambda self: self.manifests / "site.json")
    published = property(lambda self: self.backups / ".staging" / "published.json")
    state_dir = property(lambda self: self.root / ".doit")
    lock_file = property(lambda self: self.root / ".doit" / "run.lock")
