"""Safe, streaming ZIP extraction with Python's zipfile: refuses hostile or broken archives whole."""
import logging
import os
import shutil
import time
import zipfile
import zlib
from pathlib import Path

from lib.log import PROGRESS
from lib.errors import ExportError, UnsafeArchive
from lib.fsutil import remove_tree
from lib.archive.checks import Budget, Limits, plan_archive  # noqa: F401  (Limits is public here too)

log = logging.getLogger(__name__)
BUFFER = 1 << 20


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
                 self.entries, done_bytes / 1e6, self.total / 1e6, rate / 1e6, eta, extra=PROGRESS)


def write_plan(zf, plan, target_dir):
    """Stream a checked plan's entries under target_dir; return the extracted entry dicts.

    The plan's declared sizes were counted against the limits already; an entry that inflates past
    its own declared size is the only way past them, and is stopped here.
    """
    target = Path(target_dir)
    for rel in sorted(plan.dirs):
        os.makedirs(target / rel, exist_ok=True)
    progress = _Progress(plan.zip_path.name, len(plan.items), sum(i[0].file_size for i in plan.items))
    entries, done = [], 0
    for count, (info, rel, renamed_from, reasons, mtime) in enumerate(plan.items, 1):
        dest = target / rel
        size = 0
        try:
            with zf.open(info) as src, open(dest, "xb") as out:
                while True:
                    block = src.read(BUFFER)
                    if not block:
                        break
                    size += len(block)
                    if size > info.file_size:
                        raise UnsafeArchive(f"entry {rel!r} expands past its declared size {info.file_size}; "
                                            "looks like a zip bomb", "inspect the archive by hand")
                    out.write(block)
        except zipfile.BadZipFile as exc:
            raise UnsafeArchive(f"entry {rel!r} of {plan.zip_path.name} is corrupt ({exc}); "
                                "expected intact data", "re-run the export stage to download it again") from exc
        except (EOFError, zlib.error, NotImplementedError) as exc:
            raise UnsafeArchive(f"entry {rel!r} of {plan.zip_path.name} cannot be read ({exc!r}); archive "
                                "truncated or corrupt", "re-run the export stage to download it again") from exc
        done += size
        os.utime(dest, (mtime, mtime))
        entry = {"path": rel, "size": size, "mtime": mtime}
        if renamed_from:
            entry.update(renamed_from=renamed_from, reason="; ".join(reasons))
            log.info("renamed %r -> %r (%s)", renamed_from, rel, entry["reason"])
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


def extract_zip(zip_path, dest_dir, limits=None, budget=None):
    """Extract zip_path into dest_dir safely; return [{path, size, mtime, renamed_from?, reason?}] or raise UnsafeArchive.

    `budget`, when given, is shared with the other archives of the same stage (totals over every level).
    """
    budget = budget or Budget(limits)
    tmp = partial_dir(dest_dir)
    remove_tree(tmp)
    tmp.mkdir(parents=True)
    started = time.monotonic()
    try:
        with open_zip(zip_path) as zf:
            plan = plan_archive(zf, zip_path, budget)
            _check_space(tmp, plan)
            entries = write_plan(zf, plan, tmp)
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
