"""Answers read with a byte cap and JSON shapes checked: what a server sends is bounded before it fills memory."""
import json

from lib.core.errors import ExportError
from lib.core.redact import redact

READ_SIZE = 64 << 10
EXCERPT = 300  # characters of an answer quoted in a message
WINDOW = 4096  # bytes redacted before the excerpt is cut, so that a cut never splits a secret we would mask


class AnswerRefused(ExportError):
    """A server's answer is larger than the client accepts, or not of the shape it documents."""


def excerpt(data):
    """A one-line, secret-free start of a body (bytes or text) for messages, at most EXCERPT characters."""
    if isinstance(data, (bytes, bytearray)):
        data = bytes(data[:WINDOW]).decode("utf-8", "replace")
    text = " ".join(redact(str(data)[:WINDOW]).split())
    return text if len(text) <= EXCERPT else text[:EXCERPT] + "..."


def read_capped(response, cap, what):
    """The body of a streamed `requests` response, refused (AnswerRefused) once it passes `cap` bytes.

    Bytes are counted after content decoding, so a compressed answer cannot expand past the cap either.
    """
    length = response.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > cap:
        raise _too_large(what, int(length), cap, next(response.iter_content(WINDOW), b""), "announced")
    body = bytearray()
    for chunk in response.iter_content(READ_SIZE):
        body += chunk
        if len(body) > cap:
            raise _too_large(what, len(body), cap, body, "passed")
    return bytes(body)


def _too_large(what, size, cap, start, verb):
    return AnswerRefused(f"{what}: the answer {verb} {size:,} bytes, more than the {cap:,} accepted; it starts "
                         f"{excerpt(start)!r}", hint="Notion sent an answer no export needs; re-run later, and "
                                                     "report it if it persists")


def json_of(body):
    """The JSON value of a body (a BOM or surrounding whitespace tolerated), or None when it is not JSON."""
    text = body.decode("utf-8", "replace").lstrip("\ufeff").strip()
    if not text or text[0] not in "{[":
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


class ListOf:
    """A field's shape: a list whose items are all of one type."""

    def __init__(self, kind):
        self.kind = kind

    def fits(self, value):
        """True for a list of `kind` only."""
        return isinstance(value, list) and all(isinstance(item, self.kind) for item in value)

    def __str__(self):
        return f"a list of {self.kind.__name__}"


def check_fields(answer, shapes, what):
    """Raise AnswerRefused when a field of a JSON object has another type than `shapes` says (null is allowed).

    `shapes` maps a field to a type, a tuple of types or a ListOf. A bool is not taken for a number.
    """
    for field, shape in shapes.items():
        value = answer.get(field)
        if value is None or _fits(value, shape):
            continue
        wanted = str(shape) if isinstance(shape, ListOf) else " or ".join(
            kind.__name__ for kind in (shape if isinstance(shape, tuple) else (shape,)))
        raise AnswerRefused(f"{what}: Notion sent `{field}` as {type(value).__name__}, not {wanted}: "
                            f"{excerpt(json.dumps(value))}", hint="re-run later, and report it if it persists")


def _fits(value, shape):
    if isinstance(shape, ListOf):
        return shape.fits(value)
    kinds = shape if isinstance(shape, tuple) else (shape,)
    return isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)
