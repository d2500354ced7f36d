"""Snapshot sources for a restore (a directory, or a git commit read with dulwich) and its journal."""
import json
import logging
import os
from pathlib import Path, PurePosixPath

from lib.errors import ConfigError

log = logging.getLogger(__name__)


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
        from dulwich.objectspec import parse_commit
        from dulwich.repo import Repo
        self.repo = Repo(str(repo_path))
        self.rev = rev
        try:
            self.commit = resolve_rev(self.repo, rev, parse_commit)
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
                self._lookup("index.json")
                break
            except KeyError:
                continue
        else:
            raise ConfigError([f"snapshot '{rev}' of {repo_path} holds no public-API capture under "
                               f"{prefix}/ (no index.json): pick a snapshot taken with NOTION_JSON_CAPTURE on"])

    def _lookup(self, path):
        from dulwich.object_store import tree_lookup_path
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


def resolve_rev(repo, rev, parse_commit):
    """Resolve a revision with optional `~N` / `^` suffixes (which dulwich's parser lacks)."""
    import re
    base, suffix = re.match(r"^(.*?)((?:[~^]\d*)*)$", rev).groups()
    commit = parse_commit(repo, base.encode())
    for op, num in re.findall(r"([~^])(\d*)", suffix):
        steps = int(num or 1)
        if op == "^":
            commit = repo[commit.parents[steps - 1]] if steps else commit
            continue
        for _ in range(steps):
            commit = repo[commit.parents[0]]
    return commit


class Journal:
    """Append-only JSON-lines record of created objects; a torn last line is ignored on reload."""

    def __init__(self, path):
        self.map, self.done, self.intents, self.extra, self.fixups = {}, set(), {}, {}, []
        self.resumed = False
        self._handle = None
        if path is None:
            return
        self.path = Path(path)
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    self._apply(json.loads(line))
                except ValueError:
                    log.warning("journal %s: ignoring a torn line", self.path)
            self.resumed = bool(self.map or self.done)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        torn = self.path.exists() and self.path.stat().st_size and not self.path.read_bytes().endswith(b"\n")
        self._handle = open(self.path, "a", encoding="utf-8")
        if torn:
            self._handle.write("\n")

    def _apply(self, record):
        op = record.get("op")
        if op == "map":
            self.map.update(record["ids"])
            if record.get("key"):
                self.done.add(record["key"])
                self.intents.pop(record["key"], None)
                if "value" in record:
                    self.extra[record["key"]] = record["value"]
            self.fixups.extend(record.get("fixups") or [])
        elif op == "done":
            self.done.add(record["key"])
            self.intents.pop(record["key"], None)
        elif op == "intent":
            self.intents[record["key"]] = record
        elif op == "set":
            self.extra[record["key"]] = record["value"]

    def write(self, record):
        """Append one record and flush it to disk before going on."""
        self._apply(record)
        if self._handle is None:
            return
        self._handle.write(json.dumps(record, sort_keys=True) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def mapped(self, ids, key=None, **extra):
        """Record old→new ids and mark `key` done in the same line (a crash cannot split them)."""
        self.write(dict({"op": "map", "ids": ids, "key": key}, **extra))

    def known_new_ids(self):
        """Return every new id this restore has created so far."""
        known = set(self.map.values())
        for value in self.extra.values():
            if isinstance(value, list):
                known.update(v for v in value if isinstance(v, str))
        return known

    def close(self):
        """Close the journal file."""
        if self._handle is not None:
            self._handle.close()
