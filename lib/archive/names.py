"""Entry-name decoding, validation and deterministic renaming for safe ZIP extraction."""
import hashlib
import re
import unicodedata

from lib.errors import UnsafeArchive

NAME_MAX = 255  # bytes per path component on ext4, xfs, btrfs, APFS
PATH_MAX = 4096  # bytes, Linux limit for a whole path handed to open()
UTF8_FLAG = 0x800
ID_RE = re.compile(r"[0-9a-f]{32}", re.IGNORECASE)
# Only an absolute Windows path is refused: a title like "Q: why" is a name whose ":" gets renamed.
DRIVE_RE = re.compile(r"^[A-Za-z]:[/\\]")
# Characters Windows (and so a Windows checkout of the backup branch) cannot store in a name.
WINDOWS_BAD = re.compile(r'[<>:"\\|?*\x00-\x1f\x7f]')
HINT = "the archive was not written by Notion as expected; inspect it by hand before using it"


def decode_name(info):
    """Return the entry name as Notion meant it: UTF-8 bytes stored without the UTF-8 flag re-decoded."""
    name = info.filename
    if info.flag_bits & UTF8_FLAG:
        return name
    try:
        raw = name.encode("cp437")
    except UnicodeEncodeError:
        return name
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return name


def _shorten(component):
    """Cut a component to NAME_MAX bytes, keeping a trailing 32-hex id and the extension."""
    stem, dot, ext = component.rpartition(".")
    if not dot or len(ext.encode()) > 16:
        stem, ext = component, ""
    match = None
    for match in ID_RE.finditer(stem):
        pass
    if match and match.end() == len(stem):
        head, tail = stem[: match.start()].rstrip(), " " + match.group(0)
    else:
        # No id to keep names apart: a short digest of the full name does the job deterministically.
        head, tail = stem, " " + hashlib.sha1(component.encode()).hexdigest()[:12]
    suffix = tail + ("." + ext if ext else "")
    budget = NAME_MAX - len(suffix.encode())
    encoded = head.encode()[:budget]
    head = encoded.decode("utf-8", errors="ignore").rstrip()
    return head + suffix


def clean_name(raw_name):
    """Validate an entry name; return (relative posix path, is_dir, renamed) or raise UnsafeArchive."""
    name = raw_name
    if not name:
        raise UnsafeArchive("entry with an empty name; expected relative file names", HINT)
    if name.startswith(("/", "\\")):
        raise UnsafeArchive(f"entry {raw_name!r} has an absolute path; expected relative names", HINT)
    if DRIVE_RE.match(name):
        raise UnsafeArchive(f"entry {raw_name!r} starts with a drive letter; expected relative names", HINT)
    is_dir = name.endswith("/")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    # Backslash is a separator for Windows extractors: treat '..' between backslashes as traversal too.
    if any(seg == ".." for p in parts for seg in p.split("\\")):
        raise UnsafeArchive(f"entry {raw_name!r} contains a '..' component; expected names inside the export", HINT)
    if not parts:
        raise UnsafeArchive(f"entry {raw_name!r} names no file; expected relative file names", HINT)
    cleaned = []
    for part in parts:
        new = WINDOWS_BAD.sub("_", part)
        if len(new.encode()) > NAME_MAX:
            new = _shorten(new)
        cleaned.append(new)
    path = "/".join(cleaned)
    # Leave room for the backups/official/ prefix in front of the entry's own path.
    if len(path.encode()) > PATH_MAX - 512:
        raise UnsafeArchive(
            f"entry {raw_name[:120]!r}... has a {len(path.encode())}-byte path; expected at most "
            f"{PATH_MAX - 512} bytes so the full path stays under the filesystem's {PATH_MAX}", HINT)
    return path, is_dir, cleaned != parts


def fold_key(path):
    """Return the key under which two names collide on case-insensitive, normalising filesystems."""
    return unicodedata.normalize("NFC", path).casefold()
