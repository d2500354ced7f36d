"""What a snapshot commit takes from the tip's tree when the disk does not hold it (a fresh runner's blobless pull).

A fresh runner fetches the tip's commit and trees and only the blobs it reads (manifests, the site's pages, the
pages' text): the attachments' blobs stay on the remote. The next commit is then built from the tip's trees:
- a file whose git blob id the tip's tree names is not written again (the remote holds it; push skips it);
- `official/` absent from the disk (nothing promoted in this run) is the tip's `official/` tree as it is;
- a site file absent from the disk whose blob was left on the remote keeps the tip's entry while the site's
  manifest still lists it (an attachment's copy render did not need to place again).
"""
import json
import os
import stat

from dulwich.object_store import tree_lookup_path
from dulwich.objects import Tree

from lib.core.layout import OFFICIAL, SITE, SITE_MANIFEST, SKIPPED_LARGE
from lib.git.lfs import ATTRIBUTES, attributes, lfs_paths

SKIPPED = SKIPPED_LARGE.encode()


def tip_blobs(repo, tree_id):
    """Return the set of blob ids (hex bytes) under the tree `tree_id`, read from its trees alone."""
    if tree_id is None:
        return frozenset()
    return frozenset(entry.sha for entry in repo.object_store.iter_tree_contents(tree_id)
                     if not stat.S_ISDIR(entry.mode))


def _subtree(repo, tree_id, name):
    tree = repo[tree_id]
    for entry in tree.iteritems() if isinstance(tree, Tree) else ():
        if entry.path == name and stat.S_ISDIR(entry.mode):
            return entry.sha
    return None


def _listed_site_files(source):
    """The site paths the site's manifest lists (what the last render produced, or the tip's when it did not run)."""
    try:
        with open(os.path.join(source, SITE_MANIFEST), "rb") as handle:
            return {item["path"] for item in json.load(handle).get("files", ())}
    except (OSError, ValueError, TypeError, KeyError):
        return set()


def kept_from_tip(repo, tree_id, source, on_disk, held):
    """Return [(path, sha, mode)] of the tip's entries the new commit keeps though `source` does not hold them.

    `on_disk` is the set of relative paths (bytes) found under `source`; `held(sha)` says whether the local
    object store has a blob (a blob it lacks was left on the remote by the blobless pull).
    """
    if tree_id is None:
        return []
    kept = []
    official = _subtree(repo, tree_id, OFFICIAL.encode())
    if official is not None and not os.path.isdir(os.path.join(source, OFFICIAL)):
        prefix = OFFICIAL.encode() + b"/"
        kept += [(prefix + e.path, e.sha, e.mode) for e in repo.object_store.iter_tree_contents(official)]
        # Its large files' records come along: the LFS attributes and the list of files left out.
        for path in (ATTRIBUTES, SKIPPED):
            try:
                mode, sha = tree_lookup_path(repo.__getitem__, tree_id, path)
            except KeyError:
                continue
            kept.append((path, sha, mode))
    site = _subtree(repo, tree_id, SITE.encode())
    if site is not None:
        prefix, listed = SITE.encode() + b"/", None
        for entry in repo.object_store.iter_tree_contents(site):
            path = prefix + entry.path
            if path in on_disk or held(entry.sha):
                continue
            listed = _listed_site_files(source) if listed is None else listed
            if os.fsdecode(entry.path) in listed:
                kept.append((path, entry.sha, entry.mode))
    return kept


def merge_kept(entries, kept, repo, writer):
    """Add the kept tip entries to the commit's; LFS attributes on both sides become one file naming both's paths.

    A list of left-out files on both sides keeps the new one (the site's); only official/ kept whole brings
    the tip's, when this run left nothing out.
    """
    ours = {path for path, _, _ in entries}
    for path, sha, mode in kept:
        if path == ATTRIBUTES and path in ours:
            index = next(i for i, entry in enumerate(entries) if entry[0] == ATTRIBUTES)
            both = set(lfs_paths(repo[entries[index][1]].as_raw_string())) | set(lfs_paths(repo[sha].as_raw_string()))
            entries[index] = (ATTRIBUTES, writer.add_bytes(attributes(sorted(both))), 0o100644)
        elif path not in ours:
            entries.append((path, sha, mode))
    return entries
