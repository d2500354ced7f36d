"""Build a snapshot commit straight from a directory into a repository's object store (dulwich)."""
import json
import logging
import os
import re
import stat
import time
from concurrent.futures import ThreadPoolExecutor

from dulwich.index import commit_tree
from dulwich.object_store import MemoryObjectStore, tree_lookup_path

from lib.git.lfs import ATTRIBUTES, LocalStore, attributes, pointer_bytes
from lib.git.objects import (LooseWriter, branch_ref, clean_temp_files, holder, open_repo, read_ref, update_ref,
                              write_commit)
from lib.git.revs import unpushed_base
from lib.git.statcache import StatCache, stat_key
from lib.git.tip_tree import kept_from_tip, merge_kept, tip_blobs
from lib.git.store import PACK_THRESHOLD, pack_loose_objects
from lib.core.log import Progress
from lib.core.notion_names import reader_path
from lib.core.layout import GIT_STAT_CACHE, MANIFESTS, REMOTE_CHECK, RUN_SUMMARY, SKIPPED_LARGE, STAGING

log = logging.getLogger(__name__)

# Written into the commit (never read from disk) so verify knows which files were left out on purpose.
SKIPPED_ENTRY = SKIPPED_LARGE.encode()
WORKERS = 2                     # hashing threads; CI runners have 2-4 cores
BATCH = 32                      # files per thread task
MESSAGE_PAGES = 20              # pages named per kind of change in a commit message
# The manifests are committed whole whatever their size: every run and `doit verify` read them back (issue 22).
ALWAYS_WHOLE = MANIFESTS.encode() + b"/"


def format_message(run_id, counts, verdict, version, changes=None):
    """Return the commit message a person reads in `git log`: what the snapshot holds and which pages
    were added, removed or changed (`changes`: lists of paths); the machine data stays in manifests/."""
    counts = dict(counts or {})
    pages = {what: [reader_path(p) for p in (changes or {}).get(what, ()) if p.lower().endswith(".md")]
             for what in ("added", "removed", "changed")}
    pages["renamed or moved"] = [f"{reader_path(old)} → {reader_path(new)}"
                                 for old, new in (changes or {}).get("moved", ()) if new.lower().endswith(".md")]
    subject = (f"Snapshot {run_id}: {counts.get('md', 0)} pages, {counts.get('csv', 0)} databases, "
               f"{counts.get('attachments', 0)} attachments")
    if changes is not None:
        moved = len(pages["renamed or moved"])
        subject += (f" (+{len(pages['added'])} -{len(pages['removed'])} ~{len(pages['changed'])} pages"
                    + (f", {moved} moved)" if moved else ")"))
    size = counts.get("bytes", 0)
    lines = [subject, "",
             f"Run {run_id}, quality gate {verdict}: {counts.get('files', 0)} files, {_size(size)}."]
    if changes is None:
        lines.append("No earlier snapshot to compare with.")
    for what in ("added", "removed", "renamed or moved", "changed"):
        names = sorted(pages[what])
        if names:
            lines += ["", f"{what.capitalize()} pages ({len(names)}):"]
            lines += [f"  {name}" for name in names[:MESSAGE_PAGES]]
            if len(names) > MESSAGE_PAGES:
                lines.append(f"  ... and {len(names) - MESSAGE_PAGES} more (see manifests/snapshot.json)")
    tool = str(version) if str(version).startswith("notion-git-backup") else f"notion-git-backup {version}"
    lines += ["", tool, ""]
    return "\n".join(lines)


def _size(size):
    """Return a byte count in the largest unit that keeps it above 1."""
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def _list_files(source, exclude, max_file_bytes):
    """Return ([(relpath, size, mode, stat key)], large) for every file and symlink under `source`.

    `large` holds the (relpath, fullpath, size) of files over `max_file_bytes`: left out, or stored in Git LFS.
    """
    items, large = [], []
    root = os.fsencode(source)
    excluded = {os.fsencode(name) for name in exclude}
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        at_top = rel_dir == b"."
        if at_top:
            dirnames[:] = [d for d in dirnames if d not in excluded]
            filenames = [f for f in filenames if f not in excluded]
        dirnames.sort()
        names = list(filenames)
        # os.walk lists a symlink to a directory among dirnames without descending: record it as a link.
        for name in list(dirnames):
            if os.path.islink(os.path.join(dirpath, name)):
                dirnames.remove(name)
                names.append(name)
        for name in sorted(names):
            full = os.path.join(dirpath, name)
            rel = name if at_top else os.path.join(rel_dir, name)
            if rel in (SKIPPED_ENTRY, ATTRIBUTES):
                continue
            st = os.lstat(full)
            # No full path kept per file: a workspace of 50,000 pages has over 100,000 of them.
            if stat.S_ISLNK(st.st_mode):
                items.append((rel, 0, 0o120000, None))
            elif stat.S_ISREG(st.st_mode):
                if max_file_bytes is not None and st.st_size > max_file_bytes and not rel.startswith(ALWAYS_WHOLE):
                    large.append((rel, full, st.st_size))
                    continue
                items.append((rel, st.st_size, 0o100755 if st.st_mode & 0o111 else 0o100644, stat_key(st)))
    return items, large


def _large_files(large, writer, lfs, max_file_bytes):
    """Return (entries, skipped, stored): files over the limit as LFS pointers when `lfs` is a store, else left out."""
    entries, skipped, stored = [], [], []
    for rel, full, size in large:
        if lfs is None:
            skipped.append({"path": os.fsdecode(rel), "size": size})
            log.warning("left out %s: %d bytes is over the %d-byte limit (publish.max_file_mb)",
                        os.fsdecode(rel), size, max_file_bytes)
            continue
        oid, size = lfs.add_file(full)
        entries.append((rel, writer.add_bytes(pointer_bytes(oid, size)), 0o100644))
        stored.append({"path": os.fsdecode(rel), "size": size, "oid": oid})
    if stored:
        paths = [os.fsencode(item["path"]) for item in stored]
        entries.append((ATTRIBUTES, writer.add_bytes(attributes(paths)), 0o100644))
        log.info("%d file(s) over %d bytes stored in Git LFS (%.1f MB)", len(stored), max_file_bytes,
                 sum(item["size"] for item in stored) / 1e6)
    return entries, skipped, stored


def _hash_all(source, items, writer, workers, cache):
    """Store every file as a blob (in `workers` threads: sha1, zlib and reads release the GIL).

    A file the stat cache knows unchanged is not read: its blob is the one it had (a 5 GB snapshot where 1 %
    changed costs the 1 %, as git's index makes `git add` cost).
    """
    root = os.fsencode(source)

    def blob(rel, size, mode, key):
        full = os.path.join(root, rel)
        if mode == 0o120000:
            return writer.add_bytes(os.readlink(full))
        sha = cache.known(rel, key)
        if sha is None or not writer.has(sha):
            sha = writer.add_file(full, size)
        cache.remember(rel, key, sha)
        return sha

    def work(batch):
        return [(item[0], blob(*item), item[2]) for item in batch]

    # Batches keep per-file thread hand-off cost away from the many small pages.
    batches = [items[i:i + BATCH] for i in range(0, len(items), BATCH)]
    total = sum(item[1] for item in items)
    entries, done = [], 0
    progress = Progress(log, "snapshot: hashing", total)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for batch, result in zip(batches, pool.map(work, batches)):
            entries.extend(result)
            done += sum(item[1] for item in batch)
            progress.update(done, note=f"{len(entries)}/{len(items)} files, {writer.written} new objects")
    return entries, total


def _same_snapshot(repo, parent_tree, entries, volatile):
    """True when `entries` make the parent's tree once the `volatile` files take the parent's content."""
    swapped = []
    for path, sha, mode in entries:
        if path in volatile:
            try:
                mode, sha = tree_lookup_path(repo.__getitem__, parent_tree, path)
            except KeyError:
                continue
        swapped.append((path, sha, mode))
    return commit_tree(MemoryObjectStore(), swapped) == parent_tree  # trees only, nothing written to disk


def snapshot_directory(repo_path, source_dir, branch, message, identity=None, max_file_bytes=None,
                       exclude=(STAGING,), pack_threshold=PACK_THRESHOLD, workers=WORKERS, lfs=False,
                       volatile=(RUN_SUMMARY.encode(), REMOTE_CHECK.encode()), replace=None):
    """Commit `source_dir` as the new tip of `branch` unless its tree equals the tip's; return a summary dict.

    A change to `volatile` files alone (the run summary and the remote check, rewritten by runs) makes no new
    snapshot.
    With `lfs`, files over `max_file_bytes` are committed as Git LFS pointers (objects in the repository's
    lfs/ store, hard-linked), listed in a root .gitattributes; without, they are left out and listed.
    `replace` (run id, the remote's tip): the snapshots of that run the remote does not hold are replaced.
    """
    started = time.monotonic()
    with open_repo(repo_path) as repo:
        clean_temp_files(repo)
        ref = branch_ref(branch)
        parent = read_ref(repo, ref)
        parent_tree = repo[parent].tree if parent is not None else None
        # Built from the tip's trees: a file whose blob id the tip names is not written (a blobless pull never
        # brought it, and the remote has it), and what the disk lacks but the snapshot keeps comes from the tip.
        writer = LooseWriter(repo.object_store, tip_blobs(repo, parent_tree))
        items, large = _list_files(source_dir, exclude, max_file_bytes)
        cache = StatCache(os.path.join(repo.controldir(), GIT_STAT_CACHE))
        entries, total = _hash_all(source_dir, items, writer, workers, cache)
        cache.save()
        # The hashed entries name every listed file: the list itself (a stat key per file) can go.
        on_disk = {entry[0] for entry in entries} | {item[0] for item in large}
        del items
        store = LocalStore(os.path.join(repo.controldir(), "lfs")) if lfs else None
        pointers, skipped, stored = _large_files(large, writer, store, max_file_bytes)
        entries += pointers
        if skipped:
            data = json.dumps(skipped, indent=2, sort_keys=True).encode() + b"\n"
            entries.append((SKIPPED_ENTRY, writer.add_bytes(data), 0o100644))
        entries = merge_kept(entries, kept_from_tip(repo, parent_tree, source_dir, on_disk,
                                                    holder(repo.object_store)), repo, writer)
        tree_id = commit_tree(repo.object_store, entries)
        # One run, one snapshot (issue 22): a re-run after a failed or killed push replaces its own unpushed commit.
        base = unpushed_base(repo, parent, *replace) if replace and replace[0] and parent else parent
        result = {"tree": tree_id.decode(), "parent": base.decode() if base else None,
                  "files": len(entries) - (1 if skipped else 0) - (1 if stored else 0), "bytes": total,
                  "skipped_large": skipped, "lfs": stored, "new_objects": writer.written}
        for tip in dict.fromkeys([parent, base]):   # the tip itself, else the line below what is replaced
            if tip is not None and (repo[tip].tree == tree_id or
                                    _same_snapshot(repo, repo[tip].tree, entries, set(volatile))):
                if tip != parent:
                    update_ref(repo, ref, parent, tip)
                log.info("snapshot unchanged: tree %s equals %s of %s; no commit", tree_id.decode(),
                         tip.decode()[:12], branch)
                return dict(result, commit=tip.decode(), changed=False)
        if base != parent:
            log.warning("replacing the snapshot(s) of run %s the remote never received (tip %s): one run, one "
                        "snapshot", replace[0], parent.decode()[:12])
        commit_id = write_commit(repo, tree_id, [base] if base else [], message, identity)
        update_ref(repo, ref, parent, commit_id)
        if pack_threshold:
            # The run that wrote the loose objects packs them, so the next snapshot starts from a packed store.
            pack_loose_objects(repo, pack_threshold)
        log.info("snapshot %s on %s: %d files, %.1f MB, %d new objects (%.1f MB), %.1f s",
                 commit_id.decode()[:12], branch, result["files"], total / 1e6, writer.written,
                 writer.bytes_written / 1e6, time.monotonic() - started)
        return dict(result, commit=commit_id.decode(), changed=True)
