"""Which files are unchanged since the last snapshot: a stat cache, so an unchanged file is not read again.

A file is taken as unchanged while its device, inode, size and modification time (ns) are the ones it had when
it was hashed. The pipeline never rewrites a file in place (extraction, promotion and the site write new files
and rename them; an unchanged export file is a hard link to the previous snapshot's), so a changed file always
shows a new inode or time. A remembered blob is used only while the object store still holds it.
"""
import json
import os

from lib.fsutil import write_json_atomic


def stat_key(st):
    """The facts of an os.lstat result that change whenever the file's content does."""
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns]


class StatCache:
    """{relative path: (stat key, blob sha)} of the last snapshot, loaded from and saved to one JSON file."""

    def __init__(self, path):
        self.path = path
        try:
            with open(path, "rb") as handle:
                self.old = json.load(handle)
        except (OSError, ValueError):
            self.old = {}
        self.new = {}

    def known(self, rel, key):
        """Return the blob sha remembered for `rel` with this stat key, else None."""
        entry = self.old.get(os.fsdecode(rel))
        return entry[1].encode() if entry and entry[0] == key else None

    def remember(self, rel, key, sha):
        """Note what `rel` hashed to, for the next snapshot."""
        self.new[os.fsdecode(rel)] = [key, sha.decode()]

    def save(self):
        """Write what this snapshot hashed (only this snapshot's files: the cache never grows stale entries)."""
        write_json_atomic(self.path, self.new)
