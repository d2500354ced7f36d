"""Checks on a ZIP's central directory, made before a single byte is written: names, types, limits."""
import calendar
import stat
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lib.errors import UnsafeArchive
from lib.archive.names import HINT, clean_name, decode_name, fold_key

RATIO_FLOOR = 1 << 20  # entries smaller than this may compress as well as they like


def limit_hint(setting):
    """Say which setting lets a genuine but huge export through."""
    setting = {"max_total_bytes": "max_total_gb"}.get(setting, setting)  # the config counts gigabytes
    return f"if this export is genuine, raise unpack.{setting} in backup.config.yaml (UNPACK_{setting.upper()})"


SUPPORTED_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}


@dataclass(frozen=True)
class Limits:
    """Bounds that keep a zip bomb from filling the disk."""

    max_total_bytes: int = 64 << 30
    max_ratio: int = 250
    max_entries: int = 1_000_000


@dataclass
class Plan:
    """One archive's checked entries, ready to be written."""

    zip_path: Path
    items: list  # (ZipInfo, relative path, renamed_from or None, mtime)
    dirs: set
    warnings: list


def entry_mtime(info):
    """Return the entry's modification time as epoch seconds (UTC extra field, else DOS time as UTC)."""
    extra = info.extra
    pos = 0
    while pos + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, pos)
        body = extra[pos + 4: pos + 4 + size]
        if tag == 0x5455 and len(body) >= 5 and body[0] & 1:
            return float(struct.unpack_from("<i", body, 1)[0])
        pos += 4 + size
    try:
        return float(calendar.timegm(info.date_time + (0, 0, -1)))
    except (OverflowError, ValueError):
        return 0.0


def _check_type(info, name):
    """Refuse encrypted, exotic-method and non-regular (symlink, device) entries."""
    if info.flag_bits & 0x1:
        raise UnsafeArchive(f"entry {name!r} is encrypted; expected plain entries", HINT)
    if info.compress_type not in SUPPORTED_METHODS:
        raise UnsafeArchive(f"entry {name!r} uses compression method {info.compress_type}; "
                            "expected stored or deflate", HINT)
    mode = info.external_attr >> 16
    if info.create_system == 3 and mode:
        if stat.S_ISLNK(mode):
            raise UnsafeArchive(f"entry {name!r} is a symbolic link; expected regular files only", HINT)
        if stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
            raise UnsafeArchive(f"entry {name!r} is a special file (mode {oct(mode)}); "
                                "expected regular files only", HINT)


def _check_overlap(infos, label):
    """Refuse entries whose data overlaps another's (the overlapping-entry zip bomb)."""
    ordered = sorted(infos, key=lambda i: i.header_offset)
    for prev, cur in zip(ordered, ordered[1:]):
        if cur.header_offset < prev.header_offset + 30 + prev.compress_size:
            raise UnsafeArchive(f"entries {prev.filename!r} and {cur.filename!r} of {label} overlap; "
                                "expected each entry's data stored once", HINT)


def plan_archive(zf, zip_path, limits, seen, strip_prefix="", base_total=0):
    """Check every entry of an open archive before anything is written; return a Plan."""
    label = Path(zip_path).name
    infos = zf.infolist()
    if len(infos) > limits.max_entries:
        raise UnsafeArchive(f"{label} holds {len(infos)} entries; the limit is {limits.max_entries}",
                            limit_hint("max_entries"))
    _check_overlap(infos, label)
    items, dirs, warnings, total, packed = [], set(), [], 0, 0
    files = {}
    for info in infos:
        name = decode_name(info)
        _check_type(info, name)
        stripped = name[len(strip_prefix):] if strip_prefix and name.startswith(strip_prefix) else name
        if stripped in ("", "/"):
            continue
        path, is_dir, renamed = clean_name(stripped)
        if is_dir:
            dirs.add(path)
            continue
        if info.file_size > RATIO_FLOOR and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise UnsafeArchive(f"entry {name!r} expands {info.compress_size} -> {info.file_size} bytes, past "
                                f"the compression ratio limit {limits.max_ratio}; looks like a zip bomb",
                                limit_hint("max_ratio"))
        total += info.file_size
        packed += info.compress_size
        if base_total + total > limits.max_total_bytes:
            raise UnsafeArchive(f"entry {name!r} takes {label} past {limits.max_total_bytes} bytes expanded "
                                f"(max_total_bytes); looks like a zip bomb", limit_hint("max_total_bytes"))
        if path in seen or path in files:
            other = seen.get(path) or files[path]
            if path in files or (other[2], other[3]) != (info.CRC, info.file_size):
                raise UnsafeArchive(f"entry {name!r} would overwrite {other[1]!r} from {other[0]} "
                                    f"(both become {path!r}); expected unique names", HINT)
            warnings.append(f"{path}: identical copy in {label} and {other[0]}; kept one")
            continue
        files[path] = (label, name, info.CRC, info.file_size)
        items.append((info, path, stripped if renamed else None, entry_mtime(info)))
        parent = path.rpartition("/")[0]
        while parent and parent not in dirs:
            dirs.add(parent)
            parent = parent.rpartition("/")[0]
    if total > RATIO_FLOOR and total > limits.max_ratio * max(packed, 1):
        raise UnsafeArchive(f"{label} expands {packed} -> {total} bytes, past the compression ratio limit "
                            f"{limits.max_ratio}; looks like a zip bomb", limit_hint("max_ratio"))
    clash = (set(files) | set(seen)) & (dirs | _known_dirs(seen))
    if clash:
        path = sorted(clash)[0]
        raise UnsafeArchive(f"entry {path!r} is both a file and a folder in {label}; expected a tree", HINT)
    # Names differing only by case or Unicode form are distinct files on Linux and in git, and Notion's ids keep
    # pages apart, so refusing them would refuse genuine exports: they are reported, not refused.
    warnings += _fold_collisions(set(files) | dirs, set(seen) | _known_dirs(seen))
    seen.update(files)
    return Plan(Path(zip_path), items, dirs, warnings)


def _fold_collisions(new, old):
    """Warn about names that differ only by case or Unicode form (one file on macOS/Windows checkouts)."""
    groups = {}
    for path in new | old:
        groups.setdefault(fold_key(path), set()).add(path)
    return [f"{' and '.join(sorted(g))} collide on case-insensitive filesystems" for g in groups.values()
            if len(g) > 1 and g & new]


def _known_dirs(seen):
    """Return every folder implied by the paths already planned."""
    out = set()
    for path in seen:
        parent = path.rpartition("/")[0]
        while parent and parent not in out:
            out.add(parent)
            parent = parent.rpartition("/")[0]
    return out
