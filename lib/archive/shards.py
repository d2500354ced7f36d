"""Merge Notion's `*-Part-N.zip` shards (or per-root `Root-<id>.zip`) into one tree without `Export-<uuid>/`."""
# Conventions shared with the export stage:
# - workspace mode: the unpacked wrapper holds `<anything>-Part-<N>.zip` at its root, N = 1..max with no gap;
#   each part's entries sit under `Export-<uuid>/`, which is dropped so `tree/` holds the pages directly and
#   successive snapshots diff file by file.
# - roots mode: the export stage saves each root's download as `Root-<32hex id>.zip` (dashed ids accepted) at
#   the wrapper root, or in a directory passed here; each is itself a Notion wrapper (parts or unwrapped) and
#   lands in `tree/<32hex id>/`.
# - unwrapped export (no Part/Root zips): the wrapper's own files are the tree, a single `Export-<uuid>/` dropped.
# Only shards at the wrapper ROOT are expanded: a `.zip` anywhere in the tree is a user's attachment, kept as is.
import logging
import os
import re
import shutil
import time
from pathlib import Path

from lib.errors import ExportError, UnsafeArchive
from lib.fsutil import remove_tree
from lib.archive.checks import Limits, plan_archive
from lib.archive.names import HINT, clean_name, decode_name
from lib.archive.extract import extract_zip, finish_dir, open_zip, partial_dir, write_plan

log = logging.getLogger(__name__)
PART_RE = re.compile(r"^(?P<prefix>.+)-Part-(?P<n>\d+)\.zip$", re.IGNORECASE)
HEX = "[0-9a-fA-F]"
ROOT_RE = re.compile(rf"^Root-(?P<id>{HEX}{{8}}-?{HEX}{{4}}-?{HEX}{{4}}-?{HEX}{{4}}-?{HEX}{{12}})\.zip$")
EXPORT_ROOT_RE = re.compile(r"^Export-[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")


def export_root_prefix(names):
    """Return 'Export-<uuid>/' when every name in a folder sits under that one folder, else ''."""
    # Files at the archive root (an index.html, say) may sit beside the Export folder; they stay where they are.
    firsts = {n.split("/", 1)[0] for n in names if "/" in n}
    if len(firsts) == 1:
        first = firsts.pop()
        if EXPORT_ROOT_RE.match(first):
            return first + "/"
    return ""


def _tree_path(path):
    """Return a wrapper path as it appears in the tree: without a leading `Export-<uuid>/`."""
    first, _, rest = path.partition("/")
    return rest if rest and EXPORT_ROOT_RE.match(first) else path


def missing_parts(numbers):
    """Return the shard numbers absent from 1..max(numbers)."""
    present = set(numbers)
    return [n for n in range(1, max(present, default=0) + 1) if n not in present]


def _classify(wrapper):
    """Split the wrapper root into part zips (sorted), root zips and other entries."""
    parts, roots, others = {}, {}, []
    for entry in sorted(os.listdir(wrapper)):
        full = wrapper / entry
        part, root = PART_RE.match(entry), ROOT_RE.match(entry)
        if part and full.is_file():
            parts.setdefault(part.group("prefix"), []).append((int(part.group("n")), full))
        elif root and full.is_file():
            root_id = root.group("id").replace("-", "").lower()
            if root_id in roots:
                raise ExportError(f"root {root_id} appears twice at the wrapper root ({roots[root_id].name}, "
                                  f"{entry}); expected one Root-<id>.zip per root",
                                  "check OFFICIAL_EXPORT_ROOT_PAGE_IDS for duplicates")
            roots[root_id] = full
        else:
            others.append(entry)
    return parts, roots, others


def _expand_parts(parts, target, limits, summary, previous=None, consume=False):
    """Extract every part of every prefix into target, merged; missing numbers are an ExportError.

    `previous`: the promoted snapshot, whose identical files are linked (see write_plan); `consume`: delete each
    part once it is expanded, so the parts and the tree never take the disk together.
    """
    seen, written = {}, 0
    for prefix, numbered in sorted(parts.items()):
        gaps = missing_parts([n for n, _ in numbered])
        if gaps:
            raise ExportError(f"export {prefix} lacks part(s) {', '.join(map(str, gaps))} of "
                              f"{max(n for n, _ in numbered)}; expected every Part-N from 1",
                              "the download is incomplete: re-run the export stage")
        for number, path in sorted(numbered):
            with open_zip(path) as zf:
                strip = export_root_prefix([decode_name(info) for info in zf.infolist()])
                plan = plan_archive(zf, path, limits, seen, strip, written)
                entries = write_plan(zf, plan, target, limits, written, previous)
            written += sum(e["size"] for e in entries)
            summary["parts"].append(path.name)
            summary["linked"] += sum(1 for e in entries if e.get("linked"))
            if consume:
                os.unlink(path)
            _account(summary, entries, plan.warnings)


def _account(summary, entries, warnings):
    """Add extracted entries and warnings to the summary."""
    summary["files"] += len(entries)
    summary["bytes"] += sum(e["size"] for e in entries)
    summary["renames"] += [{"path": e["path"], "renamed_from": e["renamed_from"]} for e in entries
                           if "renamed_from" in e]
    summary["warnings"] += warnings


def _link_or_copy(src, dst):
    """Hard-link a file into the tree (cheap, keeps mtime), copying when links are impossible."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _adopt_files(wrapper, names, target, summary):
    """Bring an unwrapped export's own files into target, dropping a single `Export-<uuid>/` root."""
    rels = []
    for name in names:
        full = wrapper / name
        if full.is_dir() and not full.is_symlink():
            for dirpath, dirnames, filenames in os.walk(full):
                dirnames.sort()
                for item in sorted(dirnames + filenames):
                    if os.path.islink(os.path.join(dirpath, item)):
                        raise UnsafeArchive(f"wrapper entry {os.path.join(dirpath, item)!r} is a symbolic link; "
                                            "expected regular files only", HINT)
                rels += [Path(dirpath, f).relative_to(wrapper).as_posix() for f in sorted(filenames)]
        elif full.is_file() and not full.is_symlink():
            rels.append(name)
        else:
            raise UnsafeArchive(f"wrapper entry {name!r} is neither a file nor a folder; expected files only", HINT)
    strip = export_root_prefix(rels)
    for rel in rels:
        out_rel, _, renamed = clean_name(rel[len(strip):])
        if renamed:
            summary["renames"].append({"path": out_rel, "renamed_from": rel[len(strip):]})
        dest = target / out_rel
        if os.path.lexists(dest):
            raise UnsafeArchive(f"wrapper file {rel!r} would overwrite {out_rel!r}; expected unique names", HINT)
        dest.parent.mkdir(parents=True, exist_ok=True)
        _link_or_copy(wrapper / rel, dest)
        summary["files"] += 1
        summary["bytes"] += dest.stat().st_size


def _expand_dir(wrapper, target, limits, summary, previous=None, consume=False):
    """Expand one unpacked wrapper directory into target (already created)."""
    parts, roots, others = _classify(wrapper)
    if roots:
        if parts or others:
            stray = sorted(others + [p.name for numbered in parts.values() for _, p in numbered])
            raise ExportError(f"the wrapper mixes Root-<id>.zip files with other entries {stray[:5]}; expected "
                              "only root ZIPs in roots mode", "re-run the export stage")
        summary["layout"] = "roots"
        for root_id, path in sorted(roots.items()):
            sub = target / root_id
            inner = target.parent / f".{target.name}.root-{root_id}"
            remove_tree(inner)
            try:
                extract_zip(path, inner, limits)
                sub.mkdir()
                _expand_dir(inner, sub, limits, summary, previous and Path(previous) / root_id)
            finally:
                remove_tree(inner)
            summary["roots"].append(root_id)
        return
    if parts:
        summary["layout"] = summary["layout"] or "wrapped"
        _expand_parts(parts, target, limits, summary, previous, consume)
        if others:
            # Notion puts nothing beside the parts; keep what is there rather than lose it.
            summary["warnings"].append(f"kept {len(others)} non-part entries at the wrapper root: {others[:5]}")
            _adopt_files(wrapper, others, target, summary)
        return
    summary["layout"] = summary["layout"] or "unwrapped"
    if not others:
        summary["warnings"].append("the export holds no files at all")
    _adopt_files(wrapper, others, target, summary)


def expand_export(wrapper_dir_or_zip, tree_dir, limits=None, previous=None, consume=False):
    """Build tree_dir from an unpacked wrapper or its ZIP; return {layout, parts, roots, files, bytes, renames, warnings}.

    `previous` (the promoted snapshot) lends its identical files as hard links; `consume` deletes each part of an
    unpacked wrapper once expanded (see _expand_parts).
    """
    limits = limits or Limits()
    source = Path(wrapper_dir_or_zip)
    tmp = partial_dir(tree_dir)
    remove_tree(tmp)
    # Roots mode unpacks each root beside the tree; an interrupted run may have left some.
    for stale in tmp.parent.glob(f".{tmp.name}.root-*") if tmp.parent.is_dir() else ():
        remove_tree(stale)
    tmp.mkdir(parents=True)
    summary = {"layout": None, "parts": [], "roots": [], "files": 0, "bytes": 0, "renames": [], "warnings": [],
               "linked": 0}
    started = time.monotonic()
    unpacked = None
    try:
        if source.is_file():
            unpacked = Path(tree_dir).parent / f".{Path(tree_dir).name}.wrapper"
            renamed = [e for e in extract_zip(source, unpacked, limits) if "renamed_from" in e]
            summary["renames"] += [{"path": _tree_path(e["path"]), "renamed_from": _tree_path(e["renamed_from"])}
                                   for e in renamed]
            source = unpacked
        _expand_dir(source, tmp, limits, summary, previous, consume)
        finish_dir(tmp, tree_dir)
    except BaseException:
        remove_tree(tmp)
        raise
    finally:
        if unpacked is not None:
            remove_tree(unpacked)
    for warning in summary["warnings"]:
        log.warning("shard_expand: %s", warning)
    log.info("expanded %s (%s): %d parts, %d roots, %d files (%d unchanged, linked), %.1f MB in %.1fs",
             Path(wrapper_dir_or_zip).name, summary["layout"], len(summary["parts"]), len(summary["roots"]),
             summary["files"], summary["linked"], summary["bytes"] / 1e6, time.monotonic() - started)
    return summary
