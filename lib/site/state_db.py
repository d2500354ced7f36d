"""The site build's state on disk: sqlite files with a row per page, output and attachment.

A 50,000-page build held its previous state and its own in memory (several hundred MB); here each table is read
a row at a time and written in batches. The state is committed with the site (a fresh runner renders only what
changed), so it is split into shards of SHARD_KEYS keys by key range: no file nears a git host's size limit,
and publish never holds one large file. A build writes a new generation of shards beside the last one and
switches `.build-shards.json` to it at its end: a killed build leaves the last good state.
"""
import bisect
import json
import logging
import os
import sqlite3
from pathlib import Path

from lib.site import state_json

log = logging.getLogger(__name__)
SHARDS = ".build-shards.json"
PREFIX = ".build-state-"
SHARD_NAME = PREFIX + "%s-%03d.sqlite"
SHARD_KEYS = 15000      # keys (pages, site files, attachments) per shard: about 13 MB of state
GENERATIONS = ("a", "b")
TABLES = ("pages", "tokens", "outputs", "assets", "dbs")
BATCH = 1000    # rows written at a time
_MISSING = object()


def _dumps(value):
    return json.dumps(value, separators=(",", ":"))


def _key(key):
    """A key as stored: its UTF-8 bytes (surrogate escapes of non-UTF-8 file names kept), which sort as sorted()
    sorts the text."""
    return key.encode("utf-8", "surrogatepass")


def _text(key):
    return key.decode("utf-8", "surrogatepass")


class Table:
    """One table of key -> JSON value across the shards, used like a dict: reads go to disk, writes are batched."""

    def __init__(self, shards, bounds, name):
        self.shards, self.bounds, self.name = shards, bounds, name
        self.pending = [{} for _ in shards]

    def _shard(self, key):
        return bisect.bisect_right(self.bounds, key)

    def flush(self):
        """Write the batched rows."""
        for db, pending in zip(self.shards, self.pending):
            if pending:
                db.executemany(f"INSERT OR REPLACE INTO {self.name}(key, value) VALUES (?, ?)",
                               [(_key(key), _dumps(value)) for key, value in pending.items()])
                pending.clear()

    def __setitem__(self, key, value):
        pending = self.pending[self._shard(key)]
        pending[key] = value
        if len(pending) >= BATCH:
            self.flush()

    def update(self, pairs=()):
        """Write several rows (a mapping or (key, value) pairs)."""
        for key, value in (pairs.items() if hasattr(pairs, "items") else pairs):
            self[key] = value

    def get(self, key, default=None):
        """Return the value of `key`, or `default`."""
        number = self._shard(key)
        if key in self.pending[number]:
            return self.pending[number][key]
        row = self.shards[number].execute(f"SELECT value FROM {self.name} WHERE key = ?", (_key(key),)).fetchone()
        return default if row is None else json.loads(row[0])

    def __getitem__(self, key):
        value = self.get(key, _MISSING)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def __contains__(self, key):
        number = self._shard(key)
        return key in self.pending[number] or self.shards[number].execute(
            f"SELECT 1 FROM {self.name} WHERE key = ?", (_key(key),)).fetchone() is not None

    def __len__(self):
        self.flush()
        return sum(db.execute(f"SELECT count(*) FROM {self.name}").fetchone()[0] for db in self.shards)

    def items(self):
        """Yield (key, value) in key order (code point order, as sorted() gives), a row at a time."""
        self.flush()
        for db in self.shards:      # shards hold ascending key ranges
            for key, value in db.execute(f"SELECT key, value FROM {self.name} ORDER BY key"):
                yield _text(key), json.loads(value)

    def keys(self):
        """Yield the keys in order."""
        self.flush()
        for db in self.shards:
            for (key,) in db.execute(f"SELECT key FROM {self.name} ORDER BY key"):
                yield _text(key)

    __iter__ = keys


class BuildState:
    """A build's state: stored values (`meta`, in the first shard) and the tables; `get(name)` reads either, like
    the dict the state used to be."""

    def __init__(self, shards, bounds, files=(), generation=None):
        self.shards, self.bounds, self.files, self.generation = shards, bounds, list(files), generation
        self.tables = {name: Table(shards, bounds, name) for name in TABLES}

    @classmethod
    def open(cls, site, check=False):
        """Return the last build's state in `site` read-only, or an empty state when there is none (or part of it
        is unreadable: the build then renders every page). `check` reads every shard through first (the build
        does: a damaged file is found then, not by a failing read half-way through)."""
        listed = _read_shards(site)
        if listed is None:
            return cls.empty()
        shards = []
        try:
            for name in listed["files"]:
                uri = Path(os.path.abspath(os.path.join(site, name))).as_uri() + "?mode=ro&immutable=1"
                db = sqlite3.connect(uri, uri=True)
                shards.append(db)
                tables = {table for (table,) in db.execute("SELECT name FROM sqlite_master")}
                damaged = check and db.execute("PRAGMA quick_check").fetchone()[0] != "ok"
                if damaged or not {"meta", *TABLES} <= tables:
                    raise sqlite3.DatabaseError("incomplete")
        except sqlite3.Error:
            for db in shards:
                db.close()
            log.warning("site: ignoring an unreadable %s; rendering every page", name)
            return cls.empty()
        return cls(shards, listed["bounds"], listed["files"], listed["generation"])

    @classmethod
    def empty(cls):
        """Return a state with nothing in it."""
        db = sqlite3.connect(":memory:")
        _create_tables(db)
        return cls([db], [])

    @classmethod
    def create(cls, site, keys, after=None, per_shard=SHARD_KEYS):
        """Return a new, empty state for `site` whose shards split the sorted `keys` (every key it will hold)
        `per_shard` at a time; written beside `after` (the state it replaces), never over it."""
        # Never the generation .build-shards.json names, even when its files could not be read.
        named = (after.generation if after else None) or (_read_shards(site) or {}).get("generation")
        generation = next(g for g in GENERATIONS if g != named)
        for name in os.listdir(site):       # what a killed build of this generation left
            if name.startswith(PREFIX + generation + "-"):
                os.unlink(os.path.join(site, name))
        bounds = list(keys[per_shard::per_shard])
        files, shards = [SHARD_NAME % (generation, n) for n in range(len(bounds) + 1)], []
        for name in files:
            db = sqlite3.connect(os.path.join(site, name), isolation_level=None)
            # Not the state until .build-shards.json names it: no journal, one sync at the end.
            db.execute("PRAGMA journal_mode = OFF")
            db.execute("PRAGMA synchronous = OFF")
            db.execute("BEGIN")
            _create_tables(db)
            shards.append(db)
        return cls(shards, bounds, files, generation)

    def get(self, name, default=None):
        """Return a table by name, or a stored value."""
        if name in self.tables:
            return self.tables[name]
        row = self.shards[0].execute("SELECT value FROM meta WHERE key = ?", (name,)).fetchone()
        return default if row is None else json.loads(row[0])

    def __getitem__(self, name):
        value = self.get(name, _MISSING)
        if value is _MISSING:
            raise KeyError(name)
        return value

    def set(self, name, value):
        """Store one value."""
        self.shards[0].execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (name, _dumps(value)))

    def save(self, site):
        """Write what is pending, make the shards durable, name them in .build-shards.json and delete every other
        shard file (the last build's, or what a killed one left)."""
        for table in self.tables.values():
            table.flush()
        for db, name in zip(self.shards, self.files):
            db.execute("COMMIT")
            db.close()
            with open(os.path.join(site, name), "rb+") as handle:
                os.fsync(handle.fileno())
        state_json.write_json(os.path.join(site, SHARDS), {"generation": self.generation, "files": self.files,
                                                           "bounds": self.bounds})
        for name in os.listdir(site):
            if name.startswith(PREFIX) and name not in self.files:
                os.unlink(os.path.join(site, name))

    def close(self):
        """Let the files go without saving (a read-only state, or a build that failed)."""
        for db in self.shards:
            db.close()


def _create_tables(db):
    db.execute("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    for name in TABLES:
        db.execute(f"CREATE TABLE {name}(key BLOB PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID")


def _read_shards(site):
    """Return what .build-shards.json says ({generation, files, bounds}), or None without a usable one."""
    try:
        listed = state_json.read_json(os.path.join(site, SHARDS))
    except FileNotFoundError:
        return None
    except (ValueError, OSError):
        log.warning("site: ignoring an unreadable %s; rendering every page", SHARDS)
        return None
    if not (isinstance(listed, dict) and listed.get("generation") in GENERATIONS
            and isinstance(listed.get("files"), list) and isinstance(listed.get("bounds"), list)
            and len(listed["files"]) == len(listed["bounds"]) + 1
            and all(isinstance(n, str) and n.startswith(PREFIX) and "/" not in n
                    for n in listed["files"])):
        log.warning("site: ignoring %s (not a list of state files); rendering every page", SHARDS)
        return None
    return listed
