"""Small file trees for tests: write {relative path: bytes} to disk and read a tree back the same way."""
import os


def write_tree(root, files):
    """Create {relative path: bytes or an iterable of byte chunks} under root; return root."""
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else b"".join(data))
    return root


def write_workspace(root, workspace):
    """Write a FakeWorkspace's export files under root, as unpack would leave them; return root."""
    return write_tree(root, {rel: data for rel, _, data in workspace.entries()})


def files_of(root):
    """Return {relative path: bytes} for every file under root."""
    out = {}
    for dirpath, _, filenames in os.walk(root):
        for name in filenames:
            full = os.path.join(dirpath, name)
            with open(full, "rb") as handle:
                out[os.path.relpath(full, root)] = handle.read()
    return out
