"""Atomic file writes and the directory manifests that chain the stages."""
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

CHUNK = 1 << 20


def write_bytes_atomic(path, data):
    """Write `data` to `path` through a temporary file and an atomic rename."""
    write_pieces_atomic(path, (data,))


def write_pieces_atomic(path, pieces):
    """Write the byte strings `pieces` one after another to `path`, durably, through a temporary file and an
    atomic rename: a large document never needs to be whole in memory."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            for piece in pieces:
                handle.write(piece)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_json_atomic(path, data):
    """Write `data` as sorted, indented JSON to `path` atomically."""
    try:
        body = (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
    except UnicodeEncodeError:
        # A file name that is not UTF-8 arrives as surrogate escapes: keep it exact as \udcXX escapes.
        body = (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=True) + "\n").encode("ascii")
    write_bytes_atomic(path, body)


def read_json(path, default=None):
    """Return the JSON in `path`, or `default` when the file does not exist."""
    try:
        with open(path, "rb") as handle:
            return json.load(handle)
    except FileNotFoundError:
        return default


def sha256_file(path):
    """Return the hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def tree_manifest(root):
    """Return {'files': [{path, size, sha256}], 'count', 'bytes'} for every file under `root`."""
    root = Path(root)
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            full = Path(dirpath) / name
            rel = full.relative_to(root).as_posix()
            files.append({"path": rel, "size": full.stat().st_size, "sha256": sha256_file(full)})
    files.sort(key=lambda item: item["path"])
    return {"files": files, "count": len(files), "bytes": sum(f["size"] for f in files)}


def remove_tree(path):
    """Delete a directory tree if it exists."""
    if os.path.lexists(path):
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.unlink(path)
