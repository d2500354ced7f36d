"""The snapshot line as far as this repository holds it: ancestry, shallow boundaries, re-parenting, fetch depth."""
import logging
import time

from lib.git.objects import update_ref, write_commit

log = logging.getLogger(__name__)

DIVERGED_PREFIX = b"refs/notion-backup/diverged/"
# git's own "infinite" depth: what `git fetch --unshallow` asks for.
ALL_HISTORY = 0x7FFFFFFF


def is_ancestor(repo, ancestor, descendant):
    """Return True when commit `ancestor` is reachable from `descendant` (or equal to it)."""
    seen, todo = set(), [descendant]
    while todo:
        sha = todo.pop()
        if sha == ancestor:
            return True
        # Past a shallow boundary the parents are simply absent: not reachable as far as we know.
        if sha in seen or sha not in repo.object_store:
            continue
        seen.add(sha)
        todo.extend(repo[sha].parents)
    return False


def first_parent_chain(repo, tip, limit=None):
    """Return (commits newest first, truncated): the first-parent line down to the root or the shallow boundary."""
    shallow = repo.get_shallow()
    chain, sha = [], tip
    while sha is not None and (limit is None or len(chain) < limit):
        commit = repo[sha]
        chain.append(commit)
        if not commit.parents:
            return chain, False
        if sha in shallow or commit.parents[0] not in repo.object_store:
            return chain, True
        sha = commit.parents[0]
    return chain, sha is not None


def fetch_depth(repo, local, deepen=None):
    """Return the depth to fetch with (None: a normal fetch) for a branch whose local tip is `local`.

    A fresh runner (no local tip) fetches the tip commit and its tree only, so a run costs the same after two
    years of daily snapshots as after two days. A repository that holds the tip fetches normally: only what
    is new travels. `deepen` asks for more history: N snapshots, 0 = all of it; it only changes a repository
    whose line stops at a shallow boundary (a depth on a complete line would cut it).
    """
    if local is None or local not in repo.object_store:
        return 1 if deepen is None else (deepen or ALL_HISTORY)
    if deepen is None:
        return None
    chain, truncated = first_parent_chain(repo, local, limit=deepen or None)
    if not truncated or (deepen and len(chain) >= deepen):
        return None
    return deepen or ALL_HISTORY


def reparent(repo, ref, local, new_base):
    """Replay local-only snapshots onto `new_base` (same trees, new parents); keep the old tip under a ref."""
    walker = repo.get_walker(include=[local], exclude=[new_base])
    commits = [entry.commit for entry in walker][::-1]
    tip, tip_tree, replayed = new_base, repo[new_base].tree, 0
    for commit in commits:
        if commit.tree == tip_tree:
            continue   # the remote already holds this exact snapshot
        tip = write_commit(repo, commit.tree, [tip], commit.message, commit.author, commit.author_time)
        tip_tree, replayed = commit.tree, replayed + 1
    # Nothing is dropped silently: the diverged tip stays reachable for inspection.
    keep = DIVERGED_PREFIX + ref[len(b"refs/heads/"):] + b"/" + str(int(time.time())).encode()
    repo.refs[keep] = local
    update_ref(repo, ref, local, tip)
    log.warning("local %s had diverged from the remote: %d snapshot(s) re-parented onto %s; old tip kept as %s",
                ref.decode(), replayed, new_base.decode()[:12], keep.decode())
    return tip, replayed
