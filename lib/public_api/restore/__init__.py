"""Restore a captured snapshot into Notion under a chosen page."""
from lib.public_api.restore.restorer import restore_snapshot
from lib.public_api.restore.sources import DirSource, GitTreeSource

__all__ = ["restore_snapshot", "DirSource", "GitTreeSource"]
