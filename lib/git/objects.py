"""Low-level object store work for snapshots: open the repo, write loose blobs streaming, pack, move refs."""
import hashlib
import logging
import os
import tempfile
import threading
import time
import zlib

from dulwich.errors import NotGitRepository
from dulwich.file import FileLocked
from dulwich.objects import Commit
from dulwich.repo import Repo

from lib.core.errors import PublishError
from lib.core.fsutil import write_bytes_atomic

log = logging.getLogger(__name__)

DEFAULT_IDENTITY = "notion-git-backup <notion-git-backup@localhost>"
SMALL_FILE = 4 << 20            # read whole below this; stream (hash pass, then write pass) above it
CHUNK = 1 << 20
ZLIB_LEVEL = 1                  # measured: level 1 halves compression time for ~10 % more disk
TMP_PREFIX = ".nb-tmp-"


def open_repo(repo_path):
    """Open the repository at `repo_path`, creating a bare one when nothing is there; set gc.auto=0."""
    try:
        repo = Repo(repo_path)
    except NotGitRepository:
        if os.path.exists(repo_path) and os.listdir(repo_path):
            raise PublishError(f"{repo_path} exists but is not a git repository",
                               hint="point the backup repository setting at a git repository or an empty path")
        os.makedirs(repo_path, exist_ok=True)
        repo = Repo.init_bare(repo_path, mkdir=False)
        log.info("created bare repository %s", repo_path)
    _disable_auto_gc(repo)
    return repo


def _disable_auto_gc(repo):
    """Set gc.auto=0: dulwich honours it, and an in-memory auto-repack mid-fetch costs GBs."""
    try:
        if repo.get_config().get((b"gc",), b"auto") == b"0":
            return
    except KeyError:
        pass
    # Append rather than re-serialise: the project's own .git/config keeps its comments and layout.
    path = os.path.join(repo.commondir(), "config")
    with open(path, "rb") as handle:
        text = handle.read()
    if text and not text.endswith(b"\n"):
        text += b"\n"
    write_bytes_atomic(path, text + b"[gc]\n\tauto = 0\n")


def branch_ref(branch):
    """Return the full ref name (bytes) of a branch name."""
    name = branch.encode() if isinstance(branch, str) else branch
    return name if name.startswith(b"refs/") else b"refs/heads/" + name


def read_ref(repo, ref):
    """Return the sha a ref points to, or None when it does not exist."""
    try:
        return repo.refs[ref]
    except KeyError:
        return None


def loose_path(store, hexsha):
    """Return the file path a loose object with this hex sha has (or would have)."""
    text = hexsha.decode()
    return os.path.join(store.path, text[:2], text[2:])


def holder(store):
    """Return `held(hexsha)`: whether the store has the object, without reading it (dulwich's `in` inflates a
    loose object whole); packs listed once."""
    packs = list(store.packs)
    return lambda hexsha: os.path.exists(loose_path(store, hexsha)) or any(hexsha in pack for pack in packs)


class LooseWriter:
    """Writes blobs as loose objects, skipping those the store already holds."""

    def __init__(self, store, promised=frozenset()):
        # `promised`: blob ids the tip's tree names; the remote holds them even where a blobless fetch left them.
        self.store, self.promised = store, promised
        self.packs = list(store.packs)   # listed once: store.packs re-lists the pack dir per call
        for pack in self.packs:
            pack.index   # load indexes now, not lazily from several threads at once
        self.written = 0
        self.bytes_written = 0
        self._lock = threading.Lock()

    def has(self, hexsha):
        """Return True when the store holds `hexsha` (loose, freshened, or in a pack) or the tip promises it."""
        if hexsha in self.promised:
            return True
        try:
            # Freshen like git does: a concurrent `git gc` then cannot prune it before our ref points to it.
            os.utime(loose_path(self.store, hexsha))
            return True
        except FileNotFoundError:
            pass
        except PermissionError:
            return True
        return any(hexsha in pack for pack in self.packs)

    def _install(self, tmp, hexsha):
        dest = loose_path(self.store, hexsha)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        os.chmod(tmp, 0o444)
        os.replace(tmp, dest)
        with self._lock:
            self.written += 1

    def add_bytes(self, data):
        """Store `data` as a blob unless present; return its hex sha (bytes)."""
        header = b"blob %d\x00" % len(data)
        hexsha = hashlib.sha1(header + data).hexdigest().encode()
        if not self.has(hexsha):
            fd, tmp = tempfile.mkstemp(dir=self.store.path, prefix=TMP_PREFIX)
            with os.fdopen(fd, "wb") as out:
                out.write(zlib.compress(header + data, ZLIB_LEVEL))
            self._install(tmp, hexsha)
            with self._lock:
                self.bytes_written += len(data)
        return hexsha

    def add_file(self, path, size):
        """Store the file at `path` as a blob unless present, streaming big ones; return its hex sha."""
        if size < SMALL_FILE:
            with open(path, "rb") as handle:
                return self.add_bytes(handle.read())
        # Big file: hash first (an unchanged blob costs only a read), then stream-compress if new.
        digest = hashlib.sha1(b"blob %d\x00" % size)
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(CHUNK), b""):
                digest.update(block)
        hexsha = digest.hexdigest().encode()
        if self.has(hexsha):
            return hexsha
        return self._stream(path)

    def _stream(self, path):
        fd, tmp = tempfile.mkstemp(dir=self.store.path, prefix=TMP_PREFIX)
        try:
            with os.fdopen(fd, "wb") as out, open(path, "rb") as src:
                size = os.fstat(src.fileno()).st_size
                header = b"blob %d\x00" % size
                digest, comp = hashlib.sha1(header), zlib.compressobj(ZLIB_LEVEL)
                out.write(comp.compress(header))
                done = 0
                for block in iter(lambda: src.read(CHUNK), b""):
                    done += len(block)
                    digest.update(block)
                    out.write(comp.compress(block))
                out.write(comp.flush())
            if done != size:
                raise PublishError(f"{os.fsdecode(path)} changed size while it was being committed "
                                   f"({size} -> {done} bytes)", hint="re-run once nothing writes to backups/")
            hexsha = digest.hexdigest().encode()
            self._install(tmp, hexsha)
            with self._lock:
                self.bytes_written += size
            return hexsha
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)


def _identity(identity):
    value = identity or DEFAULT_IDENTITY
    return value.encode() if isinstance(value, str) else value


def write_commit(repo, tree_id, parents, message, identity, when=None):
    """Store a commit object for `tree_id` with `parents` and return its id."""
    commit = Commit()
    commit.tree, commit.parents = tree_id, list(parents)
    commit.author = commit.committer = _identity(identity)
    commit.author_time = commit.commit_time = int(when if when is not None else time.time())
    commit.author_timezone = commit.commit_timezone = 0
    commit.encoding = b"UTF-8"
    commit.message = message.encode() if isinstance(message, str) else message
    repo.object_store.add_object(commit)
    return commit.id


def update_ref(repo, ref, old, new):
    """Move `ref` from `old` (None: must not exist) to `new` atomically, or raise PublishError."""
    try:
        ok = repo.refs.add_if_new(ref, new) if old is None else repo.refs.set_if_equals(ref, old, new)
    except FileLocked as exc:
        raise PublishError(f"{ref.decode()} is locked by another writer ({exc})",
                           hint="wait for the other backup run, or remove the stale .lock file after a crash") from exc
    if not ok:
        raise PublishError(f"{ref.decode()} moved while this snapshot was being written (expected "
                           f"{(old or b'none').decode()})", hint="re-run the publish step")


def clean_temp_files(repo):
    """Remove half-written object temp files left in the object store by a killed run."""
    store_path = repo.object_store.path
    for name in os.listdir(store_path):
        if name.startswith(TMP_PREFIX):   # ours only: git's own tmp_obj_ files may belong to a live git
            try:
                os.unlink(os.path.join(store_path, name))
                log.info("removed leftover temp object %s", name)
            except OSError:
                pass

