"""File-name length limits every writer shares: byte budgets, and deterministic shortening that keeps Notion's id."""
import hashlib

from lib.core.notion_names import TAIL_ID_RE  # the trailing id keeps names apart once cut

NAME_MAX = 255  # bytes per path component on ext4, xfs, btrfs, APFS
MAX_EXT_BYTES = 16


def cut_utf8(text, limit):
    """Return the longest prefix of `text` whose UTF-8 encoding fits in `limit` bytes (never half a character)."""
    data = text.encode("utf-8", "surrogateescape")
    if len(data) <= limit:
        return text
    return data[:max(limit, 0)].decode("utf-8", "ignore")


def digest_tag(text, length=12):
    """Return a short, stable hex digest of `text` that keeps two shortened names apart."""
    return hashlib.sha1(text.encode("utf-8", "surrogateescape")).hexdigest()[:length]


def split_ext(name):
    """Return (stem, '.ext' or '') with a short extension only, as a file manager would show it."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or not ext or len(ext.encode("utf-8", "surrogateescape")) > MAX_EXT_BYTES:
        return name, ""
    return stem, "." + ext


def fit_name(name, limit=NAME_MAX, tag=None):
    """Return `name` cut to `limit` bytes, keeping its extension and a trailing Notion id.

    A name that fits (and no `tag` asked for) comes back unchanged. Otherwise the title is cut and
    either the trailing 32-hex id or a digest of the full name (or `tag`) keeps it apart from others.
    """
    if tag is None and len(name.encode("utf-8", "surrogateescape")) <= limit:
        return name
    stem, ext = split_ext(name)
    match = TAIL_ID_RE.search(stem)
    if match:
        head, tail = stem[:match.start()].rstrip(), " " + match.group(0)
    else:
        head, tail = stem, ""
    if tag is not None or not match:
        tail = " " + (tag or digest_tag(name)) + tail
    suffix = tail + ext
    head = cut_utf8(head, limit - len(suffix.encode("utf-8", "surrogateescape"))).rstrip()
    return head + suffix if head else suffix.lstrip()


def temp_name(name, prefix=".", suffix=".tmp"):
    """Return a hidden temporary name for `name` that stays within NAME_MAX whatever the name's length."""
    budget = NAME_MAX - len((prefix + suffix).encode("utf-8"))
    return prefix + cut_utf8(name, budget) + suffix
