"""Checks on a ZIP's central directory, made before a single byte is written: names, types, limits."""
import calendar
import stat
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lib.core.errors import UnsafeArchive
from lib.archive.claims import Claims
from lib.archive.names import HINT, clean_name, decode_name

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


class Budget:
    """What one stage may expand in total: entries and bytes of every archive at every level of nesting."""

    def __init__(self, limits=None):
        self.limits = limits or Limits()
        self.entries = 0
        self.bytes = 0

    def open_archive(self, label, count):
        """Count an archive's entries before reading any of them."""
        self.entries += count
        if self.entries > self.limits.max_entries:
            within = f" ({self.entries} in all with the archives before it)" if self.entries > count else ""
            raise UnsafeArchive(f"{label} holds {count} entries{within}; the limit is {self.limits.max_entries}",
                                limit_hint("max_entries"))

    def take(self, label, name, size):
        """Count an entry's declared size against the total."""
        self.bytes += size
        if self.bytes > self.limits.max_total_bytes:
            raise UnsafeArchive(f"entry {name!r} takes {label} past {self.limits.max_total_bytes} bytes expanded "
                                "in all (max_total_bytes); looks like a zip bomb", limit_hint("max_total_bytes"))


@dataclass
class Plan:
    """One archive's checked entries, ready to be written."""

    zip_path: Path
    items: list  # (ZipInfo, relative path, renamed_from or None, reasons, mtime)
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


def _check_ratio(label, name, size, packed, limits):
    """Refuse an entry or archive that expands past the compression ratio limit."""
    if size > RATIO_FLOOR and size > limits.max_ratio * max(packed, 1):
        what = f"entry {name!r}" if name else label
        raise UnsafeArchive(f"{what} expands {packed} -> {size} bytes, past the compression ratio limit "
                            f"{limits.max_ratio}; looks like a zip bomb", limit_hint("max_ratio"))


def plan_archive(zf, zip_path, budget, claims=None, strip_prefix=""):
    """Check every entry of an open archive before anything is written; return a Plan.

    `claims` holds the names earlier archives wrote into the same tree; names are settled against
    them (see Claims) and the plan's own are added.
    """
    label = Path(zip_path).name
    claims = Claims() if claims is None else claims
    infos = zf.infolist()
    budget.open_archive(label, len(infos))
    _check_overlap(infos, label)
    files, dirs, total, packed = [], set(), 0, 0
    for info in infos:
        name = decode_name(info)
        _check_type(info, name)
        stripped = name[len(strip_prefix):] if strip_prefix and name.startswith(strip_prefix) else name
        if stripped in ("", "/"):
            continue
        path, is_dir, reasons = clean_name(stripped)
        if is_dir:
            dirs.add(path)
            continue
        _check_ratio(label, name, info.file_size, info.compress_size, budget.limits)
        budget.take(label, name, info.file_size)
        total += info.file_size
        packed += info.compress_size
        raw = "/".join(p for p in stripped.split("/") if p not in ("", "."))
        files.append((info, (path, raw, reasons, label, (info.CRC, info.file_size))))
    _check_ratio(label, None, total, packed, budget.limits)
    before = len(claims.warnings)
    placed, needed = claims.place_all(dirs, [spec for _, spec in files])
    items = [(info, final, spec[1] if why else None, why, entry_mtime(info))
             for (info, spec), (final, why) in zip(files, placed) if final is not None]
    return Plan(Path(zip_path), items, needed, claims.warnings[before:])
