"""Which branch snapshots may be written to: never a checked-out one, never one holding other commits."""
import os
import stat

from dulwich.errors import NotGitRepository
from dulwich.repo import Repo

from lib.core.errors import ConfigError
from lib.git.lfs import ATTRIBUTES
from lib.git.objects import branch_ref, read_ref
from lib.core.layout import JSON, MANIFESTS, OFFICIAL, SITE, SNAPSHOT

# What a snapshot's root holds: our folders, and the .gitattributes naming its Git LFS files (BACKUP_LFS).
SNAPSHOT_TOP = {name.encode() for name in (OFFICIAL, SITE, MANIFESTS, JSON)} | {ATTRIBUTES}
BRANCH = "BACKUP_BRANCH (at 'publish.branch')"
REMOTE = "BACKUP_GIT_REMOTE (at 'publish.remote')"


def is_snapshot_tree(repo, tree_id):
    """True when a tree is one this tool commits: only official/ site/ manifests/ json/ (and .gitattributes for
    Git LFS), with snapshot.json."""
    try:
        top = {entry.path: entry for entry in repo[tree_id].iteritems()}
        manifests = top.get(MANIFESTS.encode())
        if not top.keys() <= SNAPSHOT_TOP or manifests is None or not stat.S_ISDIR(manifests.mode):
            return False
        name = SNAPSHOT.split("/", 1)[1].encode()
        return any(entry.path == name for entry in repo[manifests.sha].iteritems())
    except KeyError:  # an object we do not have: we cannot say it is ours
        return False


def foreign_commit(repo, tip, known=()):
    """Return the first commit reachable from `tip` (and not from `known`) that is not a snapshot, or None."""
    known = [sha for sha in known if sha is not None and sha in repo.object_store]
    try:
        for entry in repo.get_walker(include=[tip], exclude=known):
            if not is_snapshot_tree(repo, entry.commit.tree):
                return entry.commit
    except KeyError:  # history we do not have
        return repo[tip] if tip in repo.object_store else None
    return None


def describe_foreign(branch, commit, where):
    """The problem text for a branch that holds a commit this tool did not write."""
    subject = commit.message.split(b"\n", 1)[0].decode("utf-8", "replace")[:60]
    return (f"{BRANCH}: '{branch}' {where} holds commits that are not snapshots (commit "
            f"{commit.id.decode()[:12]} {subject!r}): snapshots would be committed on top of them and delete "
            "their files. Use a branch of its own (default notion-backups)")


def checked_out_at(repo, branch):
    """Return the work trees (paths) where `branch` is checked out, in this repository and its linked ones."""
    ref = b"ref: " + branch_ref(branch)
    common = repo.commondir()
    heads = [] if repo.bare else [(os.path.join(common, "HEAD"), os.path.dirname(os.path.abspath(common)))]
    linked = os.path.join(common, "worktrees")
    for name in sorted(os.listdir(linked)) if os.path.isdir(linked) else []:
        try:
            with open(os.path.join(linked, name, "gitdir"), "rb") as handle:
                where = os.path.dirname(os.fsdecode(handle.read().strip()))
        except OSError:
            where = name
        heads.append((os.path.join(linked, name, "HEAD"), where))
    found = []
    for head, where in heads:
        try:
            with open(head, "rb") as handle:
                if handle.read().strip() == ref:
                    found.append(where)
        except OSError:
            continue
    return found


def _is_address(remote):
    """True for a URL or an scp-style host:path: only the network can say whether it answers."""
    return "://" in remote or (":" in remote and not remote.startswith(("/", ".")))


def _remote_problem(repo, remote):
    """A remote that is neither a URL, scp-style, a configured remote, nor an existing folder."""
    if not remote or _is_address(remote):
        return None
    try:
        repo.get_config().get((b"remote", remote.encode()), b"url")
        return None
    except KeyError:
        pass
    if os.path.isdir(os.path.abspath(remote)):
        return None
    return (f"{REMOTE}: {remote!r} is neither a remote of this repository nor an existing folder (give a remote "
            "name, a URL, or the path of a bare repository made with git init --bare)")


def branch_problems(repo_path, branch, remote, checked=None):
    """Read-only checks before a run writes anything: the branch is ours alone, the remote exists.

    Return (problems, tip): history reachable from `checked` (a tip found sound before) is not walked again.
    """
    if not os.path.exists(repo_path):
        return _no_repo_remote(remote), None
    try:
        repo = Repo(str(repo_path))
    except NotGitRepository:
        return [], None
    with repo:
        problems = []
        places = checked_out_at(repo, branch)
        if places:
            problems.append(f"{BRANCH}: '{branch}' is the branch checked out in {', '.join(places)}: a snapshot "
                            "would replace the files of that work tree. Use a branch of its own (default "
                            "notion-backups)")
        tip = read_ref(repo, branch_ref(branch))
        known = [checked.encode()] if checked else []
        foreign = foreign_commit(repo, tip, known) if tip is not None and not places else None
        if foreign is not None:
            problems.append(describe_foreign(branch, foreign, "in this repository"))
        problem = _remote_problem(repo, remote)
        return problems + ([problem] if problem else []), tip and tip.decode()


def _no_repo_remote(remote):
    """Without a repository only a URL, scp-style address or existing folder can be a remote."""
    if not remote or _is_address(remote):
        return []
    if os.path.isdir(os.path.abspath(remote)):
        return []
    return [f"{REMOTE}: {remote!r} is not a URL or an existing folder, and the project is not a git checkout "
            "that could name it as a remote"]


def refuse_foreign(repo, branch, tip, known, where):
    """Raise ConfigError when history reachable from `tip` (beyond `known`) holds a commit that is not a snapshot."""
    foreign = foreign_commit(repo, tip, known)
    if foreign is not None:
        raise ConfigError([describe_foreign(branch, foreign, where)])
