"""The build's own state files: compact ASCII JSON, written a slice at a time and atomically, read without a copy."""
import json

from lib.core.fsutil import write_pieces_atomic

BATCH = 1000    # dict entries encoded at a time when a state file is written


def _json(value):
    """Return `value` as compact ASCII JSON text: one emoji in a title makes a text of other characters four bytes
    a character in memory (the state read back, or a piece written), \\u escapes keep it one."""
    return json.dumps(value, separators=(",", ":"))


def json_parts(value, batch=BATCH):
    """Yield the compact JSON text of `value` in pieces whose concatenation is `_json(value)`: a dict of more than
    `batch` entries goes `batch` entries at a time, so no piece holds a whole 50,000-page state."""
    if not isinstance(value, dict) or (len(value) <= batch and not any(
            isinstance(v, dict) and len(v) > batch for v in value.values())):
        yield _json(value)
        return
    yield "{"
    keys = list(value)
    for start in range(0, len(keys), batch):
        part = keys[start:start + batch]
        comma = "," if start else ""
        if not any(isinstance(value[k], dict) and len(value[k]) > batch for k in part):
            yield comma + _json({k: value[k] for k in part})[1:-1]
            continue
        for n, key in enumerate(part):
            yield ("," if start or n else "") + _json(key) + ":"
            yield from json_parts(value[key], batch)
    yield "}"


def write_json(path, value):
    """Write `value` as compact JSON to `path` atomically and durably, a piece at a time: the whole text
    at once (a str, then its bytes) was the largest allocation of a 50,000-page build."""
    write_pieces_atomic(path, (piece.encode("ascii") for piece in json_parts(value)))


def read_json(path):
    """Return the JSON in `path`; its bytes are let go before parsing (the text and the objects are enough)."""
    with open(path, encoding="utf-8", errors="surrogatepass") as handle:
        text = handle.read()
    return json.loads(text)
