"""Entry-name decoding, validation and deterministic renaming into names every checkout of the branch can hold."""
import functools
import re
import unicodedata

from lib.core.errors import UnsafeArchive
from lib.core.filenames import NAME_MAX, fit_name
from lib.archive.gitnames import hfs_fold, is_git_name

PATH_MAX = 4096  # bytes, Linux limit for a whole path handed to open()
# Folders inside folders: Python walks trees recursively (os.walk, shutil.rmtree, json), and each level
# costs a few frames of the default 1,000; Notion nests pages far less deep than this. Not a setting:
# a deeper limit would trade a clear refusal (exit 1) for a RecursionError (exit 2).
MAX_FOLDERS = 128
UTF8_FLAG = 0x800
# Only an absolute Windows path is refused: a title like "Q: why" is a name whose ":" gets renamed.
DRIVE_RE = re.compile(r"^[A-Za-z]:[/\\]")
# Characters Windows (and so a Windows checkout of the backup branch) cannot store in a name.
WINDOWS_BAD = re.compile(r'[<>:"\\|?*\x00-\x1f\x7f]')
# Device names Windows opens instead of a file, with any extension (`aux.md`) and in any case.
WINDOWS_DEVICES = frozenset(["con", "prn", "aux", "nul", "conin$", "conout$"]
                            + [f"{kind}{n}" for kind in ("com", "lpt") for n in "0123456789¹²³"])
HINT = "the archive was not written by Notion as expected; inspect it by hand before using it"

# Why a name was changed, as snapshot.json and the log report it.
WINDOWS_CHARS = "characters Windows cannot store"
TRAILING = "ends in a dot or space (Windows drops them)"
DEVICE = "a Windows device name"
GIT = "a name git reserves (.git, its aliases, git's own dot-files)"
INVISIBLE = "a name macOS reads as empty, '.' or '..' (invisible characters only)"
TOO_LONG = f"longer than {NAME_MAX} bytes"
CLASH = "the same name as another file"


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


def is_device_name(component):
    """True for a name Windows resolves to a device: the part before the first dot, spaces dropped."""
    return component.split(".", 1)[0].rstrip(" ").casefold() in WINDOWS_DEVICES


def _too_long(name):
    """True when a name takes more bytes than a path component can."""
    return len(name.encode("utf-8", "surrogateescape")) > NAME_MAX


# (applies, rename, reason) in the order that makes the result a fixed point: cleaning a cleaned name
# changes nothing, so a name renamed at unpack goes through every later stage unchanged.
RULES = (
    (WINDOWS_BAD.search, lambda name: WINDOWS_BAD.sub("_", name), WINDOWS_CHARS),
    (lambda name: name.endswith((".", " ")), lambda name: name[:-1] + "_", TRAILING),
    (is_device_name, lambda name: "_" + name, DEVICE),
    (lambda name: hfs_fold(name) in ("", ".", ".."), lambda name: "_" + name, INVISIBLE),
    (is_git_name, lambda name: "_" + name, GIT),
    (_too_long, fit_name, TOO_LONG),
)


@functools.lru_cache(maxsize=1 << 16)
def clean_component(part):
    """Return (portable name, reasons) for one path component; reasons is empty when it is kept as is.

    Cached: a folder's name comes back with every file inside it.
    """
    reasons = ()
    for applies, rename, reason in RULES:
        if applies(part):
            part = rename(part)
            reasons += (reason,)
    return part, reasons


def clean_name(raw_name):
    """Validate an entry name; return (relative posix path, is_dir, reasons it was renamed) or raise UnsafeArchive."""
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
    if len(parts) - 1 > MAX_FOLDERS:
        raise UnsafeArchive(f"entry {raw_name[:120]!r}... is nested {len(parts) - 1} folders deep; expected at "
                            f"most {MAX_FOLDERS}", "move the deepest pages up in Notion, or inspect the archive")
    cleaned, reasons = [], []
    for part in parts:
        new, why = clean_component(part)
        cleaned.append(new)
        if why:
            reasons += [r for r in why if r not in reasons]
    path = "/".join(cleaned)
    # Leave room for the backups/official/ prefix in front of the entry's own path.
    if len(path.encode("utf-8", "surrogateescape")) > PATH_MAX - 512:
        raise UnsafeArchive(
            f"entry {raw_name[:120]!r}... has a {len(path.encode('utf-8', 'surrogateescape'))}-byte path; expected "
            f"at most {PATH_MAX - 512} bytes so the full path stays under the filesystem's {PATH_MAX}", HINT)
    return path, is_dir, reasons


def fold_key(path):
    """Return the key under which two names collide on case-insensitive, normalising filesystems."""
    return unicodedata.normalize("NFC", path).casefold()
