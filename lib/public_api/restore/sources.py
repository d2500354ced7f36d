"""Snapshot sources for a restore: a directory, or a git commit read with dulwich (no checkout)."""
from pathlib import Path, PurePosixPath

from dulwich.object_store import tree_lookup_path
from dulwich.repo import Repo

from lib.core.errors import ConfigError
from lib.git.revs import parse_rev
from lib.core.layout import CAPTURE_INDEX


class DirSource:
    """A capture on disk: `read('index.json')`, `list('pages/')`."""

    def __init__(self, root):
        self.root = Path(root)

    def read(self, path):
        """Return the bytes of a file of the capture."""
        return (self.root / path).read_bytes()

    def list(self, prefix=""):
        """Return the sorted relative paths of files under `prefix`."""
        base = self.root / prefix
        if not base.is_dir():
            return []
        return sorted(p.relative_to(self.root).as_posix() for p in base.rglob("*") if p.is_file())

    def describe(self):
        """Return a short description for logs and reports."""
        return f"directory {self.root}"


class GitTreeSource:
    """A capture inside a commit of a git repository, read from the object store (no checkout)."""

    def __init__(self, repo_path, rev, prefix="backups/json"):
        self.repo = Repo(str(repo_path))
        self.rev = rev
        try:
            self.commit = parse_rev(self.repo, rev)
        except (KeyError, IndexError):
            raise ConfigError([f"snapshot '{rev}' is not a commit, branch or tag of {repo_path}: "
                               "pass --snapshot with a revision of the notion-backups branch"])
        self.prefix = PurePosixPath(prefix)
        # Snapshot commits hold the *contents* of backups/ (json/ at the root); accept both spellings.
        candidates = [self.prefix] + ([PurePosixPath(*self.prefix.parts[1:])]
                                      if self.prefix.parts[:1] == ("backups",) and len(self.prefix.parts) > 1 else [])
        for candidate in candidates:
            self.prefix = candidate
            try:
                self._lookup(CAPTURE_INDEX)
                break
            except KeyError:
                continue
        else:
            raise ConfigError([f"snapshot '{rev}' of {repo_path} holds no public-API capture under "
                               f"{prefix}/ (no index.json): pick a snapshot taken with NOTION_JSON_CAPTURE on"])

    def _lookup(self, path):
        full = (self.prefix / path).as_posix().strip("/").encode()
        return tree_lookup_path(self.repo.object_store.__getitem__, self.commit.tree, full)

    def read(self, path):
        """Return the bytes of a file of the capture in that commit."""
        try:
            _mode, sha = self._lookup(path)
        except KeyError:
            raise FileNotFoundError(f"{path} not in {self.describe()}")
        return self.repo.object_store[sha].data

    def list(self, prefix=""):
        """Return the sorted relative paths of files under `prefix` in that commit."""
        rel = prefix.strip("/")
        try:
            sha = self._lookup(rel)[1]
        except KeyError:
            return []
        out, stack = [], [(PurePosixPath(rel), sha)]
        while stack:
            base, tree_sha = stack.pop()
            for entry in self.repo.object_store[tree_sha].items():
                name = base / entry.path.decode("utf-8")
                if entry.mode & 0o170000 == 0o040000:
                    stack.append((name, entry.sha))
                else:
                    out.append(name.as_posix())
        return sorted(out)

    def describe(self):
        """Return a short description for logs and reports."""
        return f"commit {self.commit.id.decode()[:12]} ({self.rev}) of {self.repo.path}"

