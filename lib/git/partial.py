"""A blobless repository's missing blobs, fetched by id from the remote (what git's partial clone does lazily)."""
import logging

from dulwich.object_store import ObjectStoreGraphWalker

from lib.git.objects import holder, open_repo
from lib.git.remote import client_for, guarded, resolve_remote

log = logging.getLogger(__name__)
BATCH = 20_000   # wants per request: one request line each


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


def fetch_blobs(repo_path, remote, shas, credentials=None):
    """Fetch the blobs among `shas` (hex bytes) the repository lacks; return how many were asked for."""
    with open_repo(repo_path) as repo:
        here = holder(repo.object_store)
        missing = sorted({sha for sha in shas if not here(sha)})
        if not missing:
            return 0
        location = resolve_remote(repo, remote)
        for start in range(0, len(missing), BATCH):
            batch = missing[start:start + BATCH]

            def run(batch=batch):
                client, path = client_for(location, credentials)
                return client.fetch(path, _NothingHeld(repo), determine_wants=lambda refs, depth=None: batch)
            guarded("fetch blobs from", location, run)
        here = holder(repo.object_store)   # the fetch added a pack
        still = [sha for sha in missing if not here(sha)]
        log.info("fetched %d blobs by id (%d still on the remote only)", len(missing) - len(still), len(still))
        return len(missing)
