"""The restore's journal: an append-only record of created objects that lets a restore resume."""
import json
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)


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
