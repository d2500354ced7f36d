"""Which files are unchanged since the last snapshot: a stat cache, so an unchanged file is not read again.

A file is taken as unchanged while its device, inode, size and modification time (ns) are the ones it had when
it was hashed. The pipeline never rewrites a file in place (extraction, promotion and the site write new files
and rename them; an unchanged export file is a hard link to the previous snapshot's), so a changed file always
shows a new inode or time. A remembered blob is used only while the object store still holds it.
The file is one JSON object {path: "dev:ino:size:mtime sha"}, written and read without a second copy in memory
(a workspace of 50,000 pages has over 100,000 files).
"""
import json
import os
import tempfile


def stat_key(st):
    """The facts of an os.lstat result that change whenever the file's content does, as one string."""
    return f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"


class StatCache:
    """{relative path: (stat key, blob sha)} of the last snapshot, loaded from and saved to one JSON file."""

    def __init__(self, path):
        self.path = path
        try:
            with open(path, "rb") as handle:
                self.old = json.load(handle)
        except (OSError, ValueError):
            self.old = {}
        if not isinstance(self.old, dict):   # damaged or of another format: hash everything once
            self.old = {}
        self.new = {}

    def known(self, rel, key):
        """Return the blob sha remembered for `rel` with this stat key, else None."""
        # Taken out as it is used: the old and the new entries of 250,000 files are never both held whole.
        entry = self.old.pop(os.fsdecode(rel), None)
        if not isinstance(entry, str):
            return None
        old_key, _, sha = entry.partition(" ")
        return sha.encode() if old_key == key else None

    def remember(self, rel, key, sha):
        """Note what `rel` hashed to, for the next snapshot."""
        self.new[os.fsdecode(rel)] = f"{key} {sha.decode()}"

    def save(self):
        """Write what this snapshot hashed (only its files: no stale entries), streamed to a temporary file."""
        self.old = {}   # not needed any more: free it before encoding the new one
        folder = os.path.dirname(self.path)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".stat-cache-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="ascii") as out:
                # ASCII escapes keep a name that is not UTF-8 (a surrogate escape here) exact through the file.
                json.dump(self.new, out, separators=(",", ":"))
            os.replace(tmp, self.path)
            self.new = {}   # saved: the commit that follows needs the memory more
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
