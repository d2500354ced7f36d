"""Safe, streaming ZIP extraction with Python's zipfile: refuses hostile or broken archives whole."""
import logging
import os
import shutil
import time
import zipfile
import zlib
from pathlib import Path

from lib.core.log import Progress
from lib.core.errors import ExportError, UnsafeArchive
from lib.core.fsutil import remove_tree
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
        if magic == b"\0\0\0\0" and os.path.getsize(zip_path) > 4:
            raise ExportError(f"{Path(zip_path).name} was spent once its run was promoted (only its name and size are "
                              "kept, as OFFICIAL_ZIP_KEEP_GB asks): its files are in the snapshot",
                              "start a new run (another BACKUP_RUN_ID) to export again, or raise OFFICIAL_ZIP_KEEP_GB")
        if magic[:2] == b"PK":
            raise UnsafeArchive(
                f"archive {Path(zip_path).name} is truncated or corrupt ({exc}); expected a complete ZIP",
                "the download was cut short: re-run the export stage") from exc
        raise UnsafeArchive(
            f"{Path(zip_path).name} is not a ZIP (starts with {magic!r}); expected 'PK' signature",
            "the download returned something else (an HTML error page?): re-run the export stage") from exc


def _compare(src, previous, check):
    """Read the entry against the previous snapshot's file: (True, size) when identical, else
    (False, (bytes that matched, the first block that did not)).

    Reading the old file costs less than writing a new one, and an identical file then becomes a hard link:
    the previous snapshot and the new tree share it, so an unchanged attachment never takes disk twice.
    """
    matched = 0
    with open(previous, "rb") as old:
        while True:
            block = src.read(BUFFER)
            if not block:
                return (True, matched) if old.read(1) == b"" else (False, (matched, b""))
            check(matched + len(block))
            if old.read(len(block)) != block:
                return False, (matched, block)
            matched += len(block)


def _copy_prefix(path, count, out):
    """Copy the first `count` bytes of `path` to `out` (the part of an entry that matched the old file)."""
    with open(path, "rb") as old:
        while count:
            block = old.read(min(BUFFER, count))
            count -= len(block)
            out.write(block)


def _link(old, dest):
    """Hard-link the unchanged file; True, or False after a copy where links are impossible."""
    try:
        os.link(old, dest)
        return True
    except OSError:
        shutil.copyfile(old, dest)
        return False


def _previous_file(previous, rel, declared):
    """The previous snapshot's file at `rel` when it could be the same (a regular file of the declared size)."""
    if previous is None:
        return None
    path = Path(previous) / rel
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return path if st.st_size == declared and os.path.isfile(path) and not os.path.islink(path) else None


def write_plan(zf, plan, target_dir, previous=None):
    """Stream a checked plan's entries under target_dir; return the extracted entry dicts.

    The plan's declared sizes were counted against the limits already; an entry that inflates past
    its own declared size is the only way past them, and is stopped here. With `previous` (the promoted
    snapshot's folder at the same level), an entry identical to the file at the same path there is
    hard-linked to it instead of written (its entry says `linked`).
    """
    target = Path(target_dir)
    _check_space(target, plan, previous)
    for rel in sorted(plan.dirs):
        os.makedirs(target / rel, exist_ok=True)
    progress = Progress(log, f"extracting {plan.zip_path.name}", sum(i[0].file_size for i in plan.items))
    entries, done = [], 0
    for count, (info, rel, renamed_from, reasons, mtime) in enumerate(plan.items, 1):
        dest = target / rel
        size, linked = 0, False

        def check(size, info=info, rel=rel, count=count):
            if size > info.file_size:
                raise UnsafeArchive(f"entry {rel!r} expands past its declared size {info.file_size}; "
                                    "looks like a zip bomb", "inspect the archive by hand")
            progress.update(done + size, note=f"{count}/{len(plan.items)} entries")
        try:
            with zf.open(info) as src:
                old, matched, pending, placed = _previous_file(previous, rel, info.file_size), 0, b"", False
                if old is not None:
                    same, facts = _compare(src, old, check)
                    if same:
                        size, linked, placed = facts, _link(old, dest), True
                    else:
                        matched, pending = facts
                if not placed:
                    with open(dest, "xb") as out:
                        if matched:
                            _copy_prefix(old, matched, out)
                        out.write(pending)
                        size = matched + len(pending)
                        while True:
                            block = src.read(BUFFER)
                            if not block:
                                break
                            size += len(block)
                            check(size)
                            out.write(block)
        except zipfile.BadZipFile as exc:
            raise UnsafeArchive(f"entry {rel!r} of {plan.zip_path.name} is corrupt ({exc}); "
                                "expected intact data", "re-run the export stage to download it again") from exc
        except (EOFError, zlib.error, NotImplementedError) as exc:
            raise UnsafeArchive(f"entry {rel!r} of {plan.zip_path.name} cannot be read ({exc!r}); archive "
                                "truncated or corrupt", "re-run the export stage to download it again") from exc
        done += size
        if not linked:   # a linked file keeps the previous snapshot's times: it is the previous snapshot's file
            os.utime(dest, (mtime, mtime))
        entry = {"path": rel, "size": size, "mtime": mtime, **({"linked": True} if linked else {})}
        if renamed_from:
            entry.update(renamed_from=renamed_from, reason="; ".join(reasons))
            log.info("renamed %r -> %r (%s)", renamed_from, rel, entry["reason"])
        entries.append(entry)
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


def extract_zip(zip_path, dest_dir, limits=None, budget=None, leave=None):
    """Extract zip_path into dest_dir safely; return [{path, size, mtime, renamed_from?, reason?}] or raise UnsafeArchive.

    `budget`, when given, is shared with the other archives of the same stage (totals over every level);
    `leave(path)` names entries that are checked but left in the archive (the shards, read in place later).
    """
    with open_zip(zip_path) as zf:
        return extract_open(zf, zip_path, dest_dir, budget or Budget(limits), leave)[0]


def extract_open(zf, zip_path, dest_dir, budget, leave=None):
    """Extract an open archive into dest_dir; return (entries written, {path: ZipInfo} of the entries left)."""
    tmp = partial_dir(dest_dir)
    remove_tree(tmp)
    tmp.mkdir(parents=True)
    started = time.monotonic()
    try:
        plan = plan_archive(zf, zip_path, budget)
        left = {item[1]: item[0] for item in plan.items if leave and leave(item[1])}
        plan.items = [item for item in plan.items if item[1] not in left]
        entries = write_plan(zf, plan, tmp)
        finish_dir(tmp, dest_dir)
    except BaseException:
        remove_tree(tmp)
        raise
    size = sum(e["size"] for e in entries)
    log.info("extracted %s: %d files, %.1f MB in %.1fs%s", Path(zip_path).name, len(entries), size / 1e6,
             time.monotonic() - started, f"; {len(left)} shards left in place" if left else "")
    return entries, left


def _check_space(where, plan, previous=None):
    """Fail early, before writing, when the disk cannot hold the expanded archive (less what links can share)."""
    need = sum(i[0].file_size for i in plan.items if _previous_file(previous, i[1], i[0].file_size) is None)
    free = shutil.disk_usage(where).free
    if need > free:
        raise ExportError(f"{plan.zip_path.name} expands to {need} bytes but only {free} are free at {where}",
                          "free disk space or move backups/ to a larger disk")
