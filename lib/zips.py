"""Safe, streaming ZIP extraction with Python's zipfile: refuses hostile or broken archives whole."""
import calendar
import logging
import os
import shutil
import stat
import struct
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from lib.errors import ExportError, UnsafeArchive
from lib.fsutil import remove_tree
from lib.zip_names import HINT, clean_name, decode_name, fold_key

log = logging.getLogger(__name__)
BUFFER = 1 << 20
RATIO_FLOOR = 1 << 20  # entries smaller than this may compress as well as they like


def _limit_hint(setting):
    """Say which setting lets a genuine but huge export through."""
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


def open_zip(zip_path):
    """Open a ZIP for reading, turning 'not a ZIP' and truncation into UnsafeArchive."""
    try:
        with open(zip_path, "rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise ExportError(f"cannot read archive {zip_path}: {exc}") from exc
    try:
        return zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        if magic[:2] == b"PK":
            raise UnsafeArchive(
                f"archive {Path(zip_path).name} is truncated or corrupt ({exc}); expected a complete ZIP",
                "the download was cut short: re-run the export stage") from exc
        raise UnsafeArchive(
            f"{Path(zip_path).name} is not a ZIP (starts with {magic!r}); expected 'PK' signature",
            "the download returned something else (an HTML error page?): re-run the export stage") from exc


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
        raise UnsafeArchive(f"{label} holds {len(infos)} entries; the limit is {limits.max_entries}", _limit_hint("max_entries"))
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
                                f"the compression ratio limit {limits.max_ratio}; looks like a zip bomb", _limit_hint("max_ratio"))
        total += info.file_size
        packed += info.compress_size
        if base_total + total > limits.max_total_bytes:
            raise UnsafeArchive(f"entry {name!r} takes {label} past {limits.max_total_bytes} bytes expanded "
                                f"(max_total_bytes); looks like a zip bomb", _limit_hint("max_total_bytes"))
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
                            f"{limits.max_ratio}; looks like a zip bomb", _limit_hint("max_ratio"))
    clash = (set(files) | set(seen)) & (dirs | _known_dirs(seen))
    if clash:
        path = sorted(clash)[0]
        raise UnsafeArchive(f"entry {path!r} is both a file and a folder in {label}; expected a tree", HINT)
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


class _Progress:
    """Rate-limited progress lines for CI logs: entries, bytes, rate, ETA."""

    def __init__(self, label, entries, total):
        self.label, self.entries, self.total = label, entries, total
        self.start = self.last = time.monotonic()

    def update(self, done_entries, done_bytes):
        now = time.monotonic()
        if now - self.last < 10:
            return
        self.last = now
        rate = done_bytes / max(now - self.start, 1e-6)
        eta = (self.total - done_bytes) / rate if rate else 0
        log.info("extracting %s: %d/%d entries, %.1f/%.1f MB, %.1f MB/s, ETA %.0fs", self.label, done_entries,
                 self.entries, done_bytes / 1e6, self.total / 1e6, rate / 1e6, eta)


def write_plan(zf, plan, target_dir, limits, written_so_far=0):
    """Stream a checked plan's entries under target_dir; return the extracted entry dicts."""
    target = Path(target_dir)
    for rel in sorted(plan.dirs):
        os.makedirs(target / rel, exist_ok=True)
    progress = _Progress(plan.zip_path.name, len(plan.items), sum(i[0].file_size for i in plan.items))
    entries, done, total = [], 0, written_so_far
    for count, (info, rel, renamed_from, mtime) in enumerate(plan.items, 1):
        dest = target / rel
        size = 0
        try:
            with zf.open(info) as src, open(dest, "xb") as out:
                while True:
                    block = src.read(BUFFER)
                    if not block:
                        break
                    size += len(block)
                    if size > info.file_size or total + size > limits.max_total_bytes:
                        raise UnsafeArchive(f"entry {rel!r} expands past its declared size {info.file_size} or "
                                            f"the total limit {limits.max_total_bytes}", _limit_hint("max_total_bytes"))
                    out.write(block)
        except zipfile.BadZipFile as exc:
            raise UnsafeArchive(f"entry {rel!r} of {plan.zip_path.name} is corrupt ({exc}); "
                                "expected intact data", "re-run the export stage to download it again") from exc
        except (EOFError, zlib.error, NotImplementedError) as exc:
            raise UnsafeArchive(f"entry {rel!r} of {plan.zip_path.name} cannot be read ({exc!r}); archive "
                                "truncated or corrupt", "re-run the export stage to download it again") from exc
        total += size
        done += size
        os.utime(dest, (mtime, mtime))
        entry = {"path": rel, "size": size, "mtime": mtime}
        if renamed_from:
            entry["renamed_from"] = renamed_from
            log.info("renamed %r -> %r (characters or length the filesystem cannot store)", renamed_from, rel)
        entries.append(entry)
        progress.update(count, done)
    for warning in plan.warnings:
        log.warning("%s", warning)
    return entries


def partial_dir(dest_dir):
    """Return the temporary sibling a directory is built in before its final rename."""
    dest = Path(dest_dir)
    return dest.parent / f".{dest.name}.partial"


def finish_dir(tmp, dest_dir):
    """Replace dest_dir by the completed tmp directory."""
    dest = Path(dest_dir)
    remove_tree(dest)
    os.rename(tmp, dest)


def extract_zip(zip_path, dest_dir, limits=None):
    """Extract zip_path into dest_dir safely; return [{path, size, mtime, renamed_from?}] or raise UnsafeArchive."""
    limits = limits or Limits()
    tmp = partial_dir(dest_dir)
    remove_tree(tmp)
    tmp.mkdir(parents=True)
    started = time.monotonic()
    try:
        with open_zip(zip_path) as zf:
            plan = plan_archive(zf, zip_path, limits, {})
            _check_space(tmp, plan)
            entries = write_plan(zf, plan, tmp, limits)
        finish_dir(tmp, dest_dir)
    except BaseException:
        remove_tree(tmp)
        raise
    size = sum(e["size"] for e in entries)
    log.info("extracted %s: %d files, %.1f MB in %.1fs", Path(zip_path).name, len(entries), size / 1e6,
             time.monotonic() - started)
    return entries


def _check_space(where, plan):
    """Fail early, before writing, when the disk cannot hold the expanded archive."""
    need = sum(i[0].file_size for i in plan.items)
    free = shutil.disk_usage(where).free
    if need > free:
        raise ExportError(f"{plan.zip_path.name} expands to {need} bytes but only {free} are free at {where}",
                          "free disk space or move backups/ to a larger disk")
