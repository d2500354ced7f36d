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
# Depth is bounded: Root zips only at the top of the download, Part zips only at the top of a wrapper; a root
# holding Root zips of its own is refused. Entry and byte limits are totals over every archive of the stage.
import contextlib
import logging
import os
import time
from pathlib import Path

from lib.core.errors import ExportError, UnsafeArchive
from lib.core.fsutil import remove_tree
from lib.archive.checks import Budget, plan_archive
from lib.archive.claims import Claims
from lib.archive.names import HINT, clean_name, decode_name
from lib.archive.extract import extract_open, finish_dir, open_zip, partial_dir, write_plan
from lib.archive.members import InZip, open_archive
from lib.archive.wrapper import (classify, export_root_prefix, is_shard, link_or_copy, missing_parts, renamed_map,
                                 wrapper_files)

log = logging.getLogger(__name__)


class _Expansion:
    """One shard_expand: the shared budget over every archive at every level, and the running summary.

    `previous`: the promoted snapshot, whose identical files are linked (see write_plan). Shards inside the
    download are read where they lie (members.open_member): the parts never take the disk beside the tree.
    """

    def __init__(self, budget, previous=None):
        self.budget, self.previous = budget, previous
        self.summary = {"layout": None, "parts": [], "roots": [], "files": 0, "bytes": 0, "renames": [],
                        "warnings": [], "linked": 0}

    def account(self, prefix, entries, warnings=()):
        """Add written entries (paths relative to the tree folder `prefix`) and warnings to the summary."""
        summary = self.summary
        summary["files"] += len(entries)
        summary["bytes"] += sum(e["size"] for e in entries)
        summary["renames"] += [{"path": prefix + e["path"], "renamed_from": prefix + e["renamed_from"],
                                "reason": e["reason"]} for e in entries if "renamed_from" in e]
        summary["warnings"] += [f"{prefix}{w}" if prefix else w for w in warnings]

    def expand_parts(self, parts, target, prefix, claims):
        """Extract every part of every prefix into target, merged; missing numbers are an ExportError."""
        for name, numbered in sorted(parts.items()):
            gaps = missing_parts([n for n, _ in numbered])
            if gaps:
                raise ExportError(f"export {name} lacks part(s) {', '.join(map(str, gaps))} of "
                                  f"{max(n for n, _ in numbered)}; expected every Part-N from 1",
                                  "the download is incomplete: re-run the export stage")
            for number, source in sorted(numbered, key=lambda pair: pair[0]):
                with open_archive(source) as zf:
                    strip = export_root_prefix([decode_name(info) for info in zf.infolist()])
                    plan = plan_archive(zf, Path(source.name), self.budget, claims, strip)
                    # In archive order: a part read from a deflated member then never seeks back.
                    plan.items.sort(key=lambda item: item[0].header_offset)
                    previous = self.previous / prefix if self.previous else None
                    entries = write_plan(zf, plan, target, previous)
                self.summary["parts"].append(source.name)
                self.summary["linked"] += sum(1 for e in entries if e.get("linked"))
                self.account(prefix, entries, plan.warnings)

    def adopt_files(self, wrapper, names, target, prefix, claims, renamed):
        """Bring an unwrapped export's own files into target, dropping a single `Export-<uuid>/` root.

        `renamed` maps a wrapper path to (Notion's name, why) for files the wrapper's extraction renamed.
        """
        rels = wrapper_files(wrapper, names)
        strip = export_root_prefix(rels)
        before, entries = len(claims.warnings), []
        for rel in rels:
            raw, reason = renamed.get(rel, (rel, ""))
            inside = bool(strip) and rel.startswith(strip)
            if inside:
                rel, raw = rel[len(strip):], raw[len(strip):]
            path, _, reasons = clean_name(rel)  # a no-op on names our extraction wrote; checks depth and length
            origin = strip.rstrip("/") if inside else "the wrapper root"
            final, reasons = claims.file(path, raw, ([reason] if reason else []) + reasons, origin)
            dest = target / final
            if os.path.lexists(dest):
                raise UnsafeArchive(f"wrapper file {raw!r} would overwrite {final!r}; expected unique names", HINT)
            dest.parent.mkdir(parents=True, exist_ok=True)
            link_or_copy(wrapper / (strip + rel if inside else rel), dest)
            entry = {"path": final, "size": dest.stat().st_size}
            if reasons:
                entry.update(renamed_from=raw, reason="; ".join(reasons))
            entries.append(entry)
        self.account(prefix, entries, claims.warnings[before:])

    def expand_dir(self, wrapper, target, prefix="", depth=0, renamed=None, shards=None):
        """Expand one unpacked wrapper directory, and the `shards` left in its ZIP, into target (already created)."""
        parts, roots, others = classify(wrapper, shards)
        summary, claims = self.summary, Claims()
        if roots:
            if depth:
                raise UnsafeArchive(f"root {prefix.rstrip('/')} holds Root-<id>.zip files of its own "
                                    f"({sorted(p.name for p in roots.values())[:3]}); roots are expanded only at "
                                    "the top of the download", HINT)
            if parts or others:
                stray = sorted(others + [p.name for numbered in parts.values() for _, p in numbered])
                raise ExportError(f"the wrapper mixes Root-<id>.zip files with other entries {stray[:5]}; "
                                  "expected only root ZIPs in roots mode", "re-run the export stage")
            summary["layout"] = "roots"
            for root_id, path in sorted(roots.items()):
                self.expand_root(root_id, path, target)
            return
        if parts:
            summary["layout"] = summary["layout"] or "wrapped"
            self.expand_parts(parts, target, prefix, claims)
            if others:
                # Notion puts nothing beside the parts; keep what is there rather than lose it.
                summary["warnings"].append(f"kept {len(others)} non-part entries at the wrapper root: {others[:5]}")
                self.adopt_files(wrapper, others, target, prefix, claims, renamed or {})
            return
        summary["layout"] = summary["layout"] or "unwrapped"
        if not others:
            summary["warnings"].append("the export holds no files at all")
        self.adopt_files(wrapper, others, target, prefix, claims, renamed or {})

    def expand_root(self, root_id, source, target):
        """Expand one root's own download into `<target>/<root id>/`, its parts read where they lie."""
        sub = target / root_id
        inner = target.parent / f".{target.name}.root-{root_id}"
        remove_tree(inner)
        try:
            with open_archive(source) as rz:
                entries, left = extract_open(rz, Path(source.name), inner, self.budget, is_shard)
                sub.mkdir()
                shards = {name: InZip(rz, info, name) for name, info in left.items()}
                self.expand_dir(inner, sub, f"{root_id}/", 1, renamed_map(entries), shards)
        finally:
            remove_tree(inner)
        self.summary["roots"].append(root_id)


def expand_export(wrapper_dir_or_zip, tree_dir, limits=None, renamed=None, previous=None, shards=None):
    """Build tree_dir from an unpacked wrapper or its ZIP; return {layout, parts, roots, files, bytes, renames, warnings}.

    `renamed` is renamed_map() of the unpack stage's entries when the wrapper was unpacked already, `shards`
    ({name: members.InZip}) the Part and Root ZIPs it left inside the download. Every archive met on the way,
    at every level, counts against one budget of `limits`. `previous` (the promoted snapshot) lends its
    identical files as hard links.
    """
    expansion = _Expansion(Budget(limits), previous and Path(previous))
    source = Path(wrapper_dir_or_zip)
    tmp = partial_dir(tree_dir)
    remove_tree(tmp)
    # Roots mode unpacks each root beside the tree; an interrupted run may have left some.
    for stale in tmp.parent.glob(f".{tmp.name}.root-*") if tmp.parent.is_dir() else ():
        remove_tree(stale)
    tmp.mkdir(parents=True)
    started = time.monotonic()
    unpacked = None
    try:
        with contextlib.ExitStack() as stack:
            if source.is_file():
                zf = stack.enter_context(open_zip(source))
                unpacked = Path(tree_dir).parent / f".{Path(tree_dir).name}.wrapper"
                entries, left = extract_open(zf, source, unpacked, Budget(limits), is_shard)
                renamed, shards = renamed_map(entries), {name: InZip(zf, info, name) for name, info in left.items()}
                source = unpacked
            expansion.expand_dir(source, tmp, renamed=renamed, shards=shards)
        finish_dir(tmp, tree_dir)
    except BaseException:
        remove_tree(tmp)
        raise
    finally:
        if unpacked is not None:
            remove_tree(unpacked)
    summary = expansion.summary
    for warning in summary["warnings"]:
        log.warning("shard_expand: %s", warning)
    if summary["renames"]:
        log.warning("shard_expand: renamed %d files so every checkout can hold them (snapshot.json lists them)",
                    len(summary["renames"]))
    log.info("expanded %s (%s): %d parts, %d roots, %d files (%d unchanged, linked), %.1f MB in %.1fs",
             Path(wrapper_dir_or_zip).name, summary["layout"], len(summary["parts"]), len(summary["roots"]),
             summary["files"], summary["linked"], summary["bytes"] / 1e6, time.monotonic() - started)
    return summary
