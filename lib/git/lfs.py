"""Git LFS for files over the size limit: pointer blobs, the .gitattributes that names them, the local object store."""
import codecs
import hashlib
import os
import re
import shutil
import stat
import tempfile

from dulwich.lfs import LFSPointer
from dulwich.object_store import tree_lookup_path

ATTRIBUTES = b".gitattributes"
LFS_ATTRS = b" filter=lfs diff=lfs merge=lfs -text"
POINTER_MAX = 512          # a pointer is ~130 bytes; anything longer is content
CHUNK = 1 << 20
GLOB = re.compile(rb"([*?\[\\])")


def pointer_bytes(oid, size):
    """Return the pointer git-lfs commits in place of a file with this sha256 and size."""
    return LFSPointer(oid, size).to_bytes()


def parse_pointer(data):
    """Return (oid, size) when `data` is a Git LFS pointer, else None."""
    if len(data) > POINTER_MAX:
        return None
    pointer = LFSPointer.from_bytes(data)
    return (pointer.oid, pointer.size) if pointer is not None and pointer.is_valid_oid() else None


def _quote(path):
    """Return `path` as one literal gitattributes pattern: glob characters escaped, then C-quoted."""
    literal = GLOB.sub(rb"\\\1", path)
    quoted = literal.replace(b"\\", b"\\\\").replace(b'"', b'\\"')
    quoted = re.sub(rb"[\x00-\x1f\x7f]", lambda m: b"\\%03o" % m.group()[0], quoted)
    return b'"/' + quoted + b'"'


def _unquote(pattern):
    """Undo _quote: the literal path a pattern we wrote stands for."""
    literal = codecs.escape_decode(pattern[2:-1])[0]
    return re.sub(rb"\\(.)", rb"\1", literal)


def attributes(paths):
    """Return the .gitattributes that hands exactly these paths (bytes, from the snapshot root) to git-lfs."""
    lines = [b"# Written by notion-git-backup: files over publish.max_file_mb are stored in Git LFS."]
    lines += [_quote(path) + LFS_ATTRS for path in sorted(paths)]
    return b"\n".join(lines) + b"\n"


def lfs_paths(data):
    """Return the paths (bytes) a .gitattributes written by `attributes` stores in Git LFS."""
    return [_unquote(line[:-len(LFS_ATTRS)]) for line in data.splitlines()
            if line.startswith(b'"/') and line.endswith(LFS_ATTRS)]


def pointers_in_tree(store, tree_id):
    """Return [(path bytes, oid, size)] of the LFS files a snapshot tree's .gitattributes names."""
    try:
        _, sha = tree_lookup_path(store.__getitem__, tree_id, ATTRIBUTES)
    except KeyError:
        return []
    found = []
    for path in lfs_paths(store[sha].as_raw_string()):
        try:
            mode, blob = tree_lookup_path(store.__getitem__, tree_id, path)
        except KeyError:
            continue   # verify reports the pointer that is missing
        parsed = parse_pointer(store[blob].as_raw_string()) if stat.S_ISREG(mode) else None
        if parsed:
            found.append((path, *parsed))
    return found


def _link_or_copy(src, dst):
    try:
        os.link(src, dst)
    except OSError:   # another file system, or links not allowed: a copy
        shutil.copyfile(src, dst)


class LocalStore:
    """`<git dir>/lfs/objects/aa/bb/<oid>`, git-lfs's layout; files enter by hard link, so no second copy."""

    def __init__(self, root):
        self.root = os.fsdecode(root)

    def path(self, oid):
        """Where the object with this sha256 lives."""
        return os.path.join(self.root, "objects", oid[:2], oid[2:4], oid)

    def has(self, oid, size):
        """Return True when the object is here with the right size."""
        try:
            return os.stat(self.path(oid)).st_size == size
        except FileNotFoundError:
            return False

    def add_file(self, path):
        """Hash `path` (streaming) and link it into the store; return (oid, size)."""
        digest, size = hashlib.sha256(), 0
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(CHUNK), b""):
                digest.update(block)
                size += len(block)
        oid = digest.hexdigest()
        if not self.has(oid, size):
            tmp = self._tmp()
            os.unlink(tmp)
            _link_or_copy(path, tmp)
            self._install(tmp, oid)
        return oid, size

    def receive(self, oid, size, chunks):
        """Write a downloaded object from `chunks`, checking its sha256 and size; ValueError when they differ."""
        tmp, digest, got = self._tmp(), hashlib.sha256(), 0
        try:
            with open(tmp, "wb") as out:
                for block in chunks:
                    digest.update(block)
                    got += len(block)
                    out.write(block)
            if got != size or digest.hexdigest() != oid:
                raise ValueError(f"LFS object {oid} arrived as {got} bytes hashing to {digest.hexdigest()}")
            self._install(tmp, oid)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def link_out(self, oid, dest):
        """Place the object at `dest` (a hard link when possible)."""
        _link_or_copy(self.path(oid), dest)

    def _tmp(self):
        folder = os.path.join(self.root, "tmp")
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix="nb-")
        os.close(fd)
        return tmp

    def _install(self, tmp, oid):
        dest = self.path(oid)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        os.replace(tmp, dest)
