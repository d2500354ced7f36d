"""Crash-safe promotion of a checked tree to backups/official, its snapshot manifest, and staging retention."""
import ctypes
import logging
import os
import shutil
import time
from pathlib import Path

from lib.snapshot.counting import count_tree
from lib.core.errors import ExportError
from lib.core.fsutil import read_json, remove_tree, tree_manifest, write_json_atomic
from lib.core.clock import now_iso
from lib.core.layout import ADMIN_DOWNLOADS, EXPORT_ZIP

log = logging.getLogger(__name__)
_AT_FDCWD, _RENAME_EXCHANGE = -100, 2


def _siblings(official):
    """Return (official.new, official.old) next to official."""
    return official.with_name(official.name + ".new"), official.with_name(official.name + ".old")


def _ident(path):
    """Return (device, inode) of a directory, or None when absent; renames keep it."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    return [st.st_dev, st.st_ino]


def _exchange(a, b):
    """Swap two directories in one atomic step (Linux renameat2); False when the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        func = libc.renameat2
    except (OSError, AttributeError):
        return False
    func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return func(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0


def _swap_in(staged, official, old):
    """Put staged at official, leaving the previous official at staged or old."""
    if not os.path.lexists(official):
        os.rename(staged, official)
        return "rename"
    if _exchange(staged, official):
        return "exchange"
    # No atomic exchange: two renames; a crash between them leaves official absent, which repair finishes.
    remove_tree(old)
    os.rename(official, old)
    os.rename(staged, official)
    return "rename"


def _roll_forward(layout, journal):
    """Finish a journaled promotion from whatever point it reached; return how the swap was done."""
    official = layout.official
    staged, old = _siblings(official)
    # The new tree is found by identity, wherever an interrupted exchange or two-rename swap left it.
    where = next((p for p in (official, staged, old) if _ident(p) == journal["new_id"]), None)
    if where is None:
        log.warning("promote journal names a new tree that no longer exists; keeping the previous snapshot")
        if not os.path.lexists(official) and os.path.lexists(old):
            os.rename(old, official)
        os.unlink(layout.promote_journal)
        return None
    how = "already"
    if where == staged:
        how = _swap_in(staged, official, old)
    elif where == old:
        if os.path.lexists(official):
            remove_tree(staged)
            os.rename(official, staged)
        os.rename(old, official)
        how = "rename"
    layout.manifests.mkdir(parents=True, exist_ok=True)
    write_json_atomic(layout.snapshot, journal["snapshot"])
    _drop_temps(layout.snapshot)
    # After an exchange official.new holds the previous snapshot; both leftovers go.
    remove_tree(staged)
    remove_tree(old)
    os.unlink(layout.promote_journal)
    return how


def _drop_temps(path):
    """Remove temporary files an interrupted atomic write of `path` left beside it."""
    for stray in path.parent.glob(f".{path.name}.*.tmp"):
        stray.unlink()


def repair(layout):
    """Turn any half state a crash left in the backups directory into the old or the new snapshot, whole."""
    _drop_temps(layout.promote_journal)
    _drop_temps(layout.snapshot)
    journal = read_json(layout.promote_journal)
    if journal:
        log.info("promote: finishing the interrupted promotion of run %s", journal["snapshot"].get("run_id"))
        return _roll_forward(layout, journal)
    official = layout.official
    staged, old = _siblings(official)
    if os.path.lexists(staged):
        log.info("promote: removing the half-built %s left by an interrupted run", staged.name)
        remove_tree(staged)
    if os.path.lexists(old):
        if os.path.lexists(official):
            remove_tree(old)
        else:
            os.rename(old, official)
    return None


def link_tree(src, dst):
    """Recreate src at dst with hard links (copies across filesystems), keeping mtimes."""
    src = Path(src)
    for dirpath, dirnames, filenames in os.walk(src):
        rel = os.path.relpath(dirpath, src)
        target = Path(dst) if rel == "." else Path(dst) / rel
        target.mkdir(parents=True, exist_ok=True)
        for name in filenames:
            try:
                os.link(os.path.join(dirpath, name), target / name)
            except OSError:
                shutil.copy2(os.path.join(dirpath, name), target / name)


def promote_tree(layout, snapshot_info, manifest=None):
    """Swap the run's tree in as official/ atomically and write manifests/snapshot.json last; return a summary.

    `manifest` is the tree's {files, count, bytes} when the caller has it (shard_expand wrote it): the
    staged copy holds the same files (hard links, or copies across file systems), so hashing every file
    again would only repeat that work.
    """
    new_tree = layout.tree
    if not new_tree.is_dir():
        raise ExportError(f"no tree to promote at {new_tree}; expected the shard_expand output",
                          "run `doit shard_expand` (or plain `doit`) first")
    repair(layout)
    staged, _ = _siblings(layout.official)
    started = time.monotonic()
    remove_tree(staged)
    link_tree(new_tree, staged)
    if manifest is None:
        manifest = tree_manifest(staged)
    snapshot = dict(snapshot_info)
    if "counts" not in snapshot:
        snapshot["counts"] = count_tree(staged)
    snapshot.setdefault("promoted_at", now_iso())
    snapshot.update(manifest)
    journal = {"new_id": _ident(staged), "snapshot": snapshot}
    # From the moment this file exists, every repair rolls forward to the new tree.
    write_json_atomic(layout.promote_journal, journal)
    how = _roll_forward(layout, journal)
    log.info("promoted run %s: %d files, %.1f MB (%s) in %.1fs", snapshot.get("run_id"), manifest["count"],
             manifest["bytes"] / 1e6, how, time.monotonic() - started)
    return {"run_id": snapshot.get("run_id"), "count": manifest["count"], "bytes": manifest["bytes"], "swap": how}


def _age_reference(path):
    """Return the newest mtime of a staging entry and its direct children."""
    newest = os.lstat(path).st_mtime
    if path.is_dir() and not path.is_symlink():
        for child in os.scandir(path):
            newest = max(newest, child.stat(follow_symlinks=False).st_mtime)
    return newest


def prune_staging(staging_dir, keep_days, current_run, last_good_run, now=None, keep_bytes=None,
                  spend_current=False):
    """Delete staging runs and ZIPs older than keep_days, never current_run or last_good_run; return removed names.

    `keep_bytes` bounds the ZIPs kept (the same bytes are in git; the last good run's tree is promoted already):
    the newest are kept while they fit, whatever the days say; a run folder whose ZIP goes keeps its small
    manifests. current_run's ZIP is deleted never: once promoted (`spend_current`) it is spent over the budget.
    """
    staging = Path(staging_dir)
    if not staging.is_dir():
        return []
    now = time.time() if now is None else now
    cutoff = now - keep_days * 86400
    keep = {str(current_run), str(last_good_run)}
    removed, zips, current = [], [], []
    for entry in sorted(staging.iterdir()):
        name = entry.name
        if not (entry.is_dir() or name.lower().endswith(".zip")):
            continue
        if name.removesuffix(".zip") == str(current_run):
            current += _zips_of(entry)
            continue
        if name in keep or name.removesuffix(".zip") in keep:
            zips += [(path.stat().st_mtime, label, path) for label, path in _zips_of(entry)]
        elif _age_reference(entry) < cutoff:
            remove_tree(entry)
            removed.append(name)
            log.info("retention: removed staging %s (older than %s days)", name, keep_days)
        else:
            zips += [(path.stat().st_mtime, label, path) for label, path in _zips_of(entry)]
    if keep_bytes is not None:
        for label, path in current if spend_current else ():
            if path.stat().st_size > keep_bytes and spend_file(path):
                removed.append(f"{label} (data)")
            else:
                keep_bytes -= path.stat().st_size
        removed += _over_budget(sorted(zips, reverse=True), max(keep_bytes, 0))
    return removed


def is_spent(path):
    """True for a file spend_file emptied: a size, and no data on disk."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    return st.st_size > 0 and st.st_blocks == 0


def spend_file(path):
    """Drop a promoted run's ZIP data but keep its name, size and times: a sparse file takes no disk, and doit
    still sees the run's download complete and unchanged (a same-day re-run stays a no-op). True when spent."""
    st = os.stat(path)
    if st.st_blocks == 0:
        return False
    with open(path, "r+b") as handle:
        handle.truncate(0)
        handle.truncate(st.st_size)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    log.info("retention: %s spent (%.1f MB of data dropped, its name kept): its files are promoted and in git; "
             "OFFICIAL_ZIP_KEEP_GB keeps it", path, st.st_size / 1e6)
    return True


def _zips_of(entry):
    """(name, path) of the downloaded ZIPs a staging entry holds: itself, or its export.zip and admin downloads."""
    if not entry.is_dir():
        return [(entry.name, entry)]
    paths = [entry / EXPORT_ZIP, *sorted((entry / ADMIN_DOWNLOADS).glob("*.zip"))]
    return [(path.relative_to(entry.parent).as_posix(), path) for path in paths if path.is_file()]


def _over_budget(zips, keep_bytes):
    """Remove the ZIPs, newest first, from the first that takes their total past keep_bytes; return their names."""
    total, removed = 0, []
    for _, label, path in zips:
        size = path.stat().st_size
        total += size
        if total > keep_bytes:
            path.unlink()
            removed.append(label)
            log.info("retention: removed %s (%.1f MB): kept ZIPs stay within OFFICIAL_ZIP_KEEP_GB", path,
                     size / 1e6)
    return removed
