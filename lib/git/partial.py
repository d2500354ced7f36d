"""A blobless repository's missing blobs, fetched by id from the remote (what git's partial clone does lazily).

What a fresh runner's restore fetches of the tip: everything but the attachments' contents (the bulk of a
workspace). The pages' text (.md, .csv) goes into the repository, for the page history and the site's copies;
the site's own pages go into a scratch store that is dropped once they are written out: the files on disk and
the remote hold them, and the next commit names them by id (tip_tree).
"""
import contextlib
import logging
import os
import shutil
import stat
import tempfile

from dulwich.object_store import ObjectStoreGraphWalker, tree_lookup_path
from dulwich.repo import Repo

from lib.core.layout import OFFICIAL, SITE
from lib.git.lfs import ATTRIBUTES, lfs_paths
from lib.git.objects import holder, open_repo
from lib.git.remote import client_for, guarded, resolve_remote

log = logging.getLogger(__name__)
BATCH = 20_000   # wants per request: one request line each
TEXT_SUFFIXES = (b".md", b".csv")
SCRATCH_PREFIX = "restore-scratch-"


class _NothingHeld:
    """The repository as the fetch sees it, claiming no commits: the server then sends each wanted blob even
    though our tip (which it reaches) is known to be here."""

    def __init__(self, repo):
        self._repo = repo

    def __getattr__(self, name):
        return getattr(self._repo, name)

    def get_graph_walker(self, heads=None):
        """An empty negotiation: no haves."""
        return ObjectStoreGraphWalker([], lambda sha: [])


def fetch_blobs(repo_path, remote, shas, credentials=None, into=None, report=True):
    """Fetch the blobs among `shas` (hex bytes) the repository lacks, into it or the repository `into`; return
    how many were asked for. `report=False`: the caller sums up its fetches in a line of its own."""
    with open_repo(repo_path) as repo:
        here = holder(repo.object_store)
        missing = sorted({sha for sha in shas if not here(sha)})
        location = resolve_remote(repo, remote) if missing else None
    if not missing:
        return 0
    with open_repo(into or repo_path) as target:
        for start in range(0, len(missing), BATCH):
            batch = missing[start:start + BATCH]

            def run(batch=batch):
                client, path = client_for(location, credentials)
                return client.fetch(path, _NothingHeld(target), determine_wants=lambda refs, depth=None: batch)
            guarded("fetch blobs from", location, run)
        here = holder(target.object_store)   # the fetch added a pack
        still = [sha for sha in missing if not here(sha)]
    (log.info if report else log.debug)("fetched %d blobs by id (%d still on the remote only)",
                                        len(missing) - len(still), len(still))
    return len(missing)


def wanted_blobs(repo, tree_id, parts):
    """Split the blobs restoring `parts` of the tip reads into (kept in the repository, only the site's pages),
    leaving out the attachments of official/ and the site's copies of them; the pages' text is always kept."""
    entries = [(e.path, e.mode, e.sha) for e in repo.object_store.iter_tree_contents(tree_id)]
    official, site = OFFICIAL.encode() + b"/", SITE.encode() + b"/"
    text = {sha for path, mode, sha in entries if path.lower().endswith(TEXT_SUFFIXES) or stat.S_ISLNK(mode)}
    attachments = {sha for path, _, sha in entries if path.startswith(official)} - text
    others = tuple(part.encode() + b"/" for part in parts if part not in (OFFICIAL, SITE))
    kept = text | {sha for path, _, sha in entries if path.startswith(others) or b"/" not in path}
    pages = {sha for path, _, sha in entries if SITE in parts and path.startswith(site)} - attachments - kept
    return kept, pages


def _lfs_pointer_blobs(repo, tree_id):
    """The blobs of the LFS pointers the tip's .gitattributes names (small: fetched with the text)."""
    try:
        attributes = repo[tree_lookup_path(repo.__getitem__, tree_id, ATTRIBUTES)[1]].as_raw_string()
    except KeyError:
        return set()
    found = set()
    for path in lfs_paths(attributes):
        try:
            found.add(tree_lookup_path(repo.__getitem__, tree_id, path)[1])
        except KeyError:
            continue
    return found


@contextlib.contextmanager
def restore_store(repo, tree_id, fetch, parts):
    """Fetch what restoring `parts` of the tip reads (`fetch(shas, into=None)`); yield the scratch repository
    holding the site's pages (None without one), removed afterwards."""
    for name in os.listdir(repo.controldir()):
        if name.startswith(SCRATCH_PREFIX):   # left by a killed restore
            shutil.rmtree(os.path.join(repo.controldir(), name), ignore_errors=True)
    if fetch is None or not parts:
        yield None
        return
    kept, site = wanted_blobs(repo, tree_id, parts)
    fetch(kept)
    fetch(_lfs_pointer_blobs(repo, tree_id))
    here = holder(repo.object_store)
    site = {sha for sha in site if not here(sha)}
    if not site:
        yield None
        return
    folder = tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=repo.controldir())
    try:
        Repo.init_bare(folder).close()
        fetch(site, into=folder)
        with open_repo(folder) as scratch:
            yield scratch
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def fetch_lfs_pointers(repo, tree_id, fetch):
    """Fetch (`fetch(shas)`) the .gitattributes of the tree `tree_id` and the LFS pointers it names into a store
    that holds the tree without its blobs."""
    try:
        fetch({tree_lookup_path(repo.__getitem__, tree_id, ATTRIBUTES)[1]})
    except KeyError:   # no .gitattributes: no pointers
        return
    fetch(_lfs_pointer_blobs(repo, tree_id))
