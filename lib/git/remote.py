"""Fetch and push the snapshot branch alone, over HTTPS with Basic auth or to a local path (dulwich)."""
import io
import logging
import os
from urllib.parse import urlsplit, urlunsplit

from dulwich.client import HTTPProxyUnauthorized, HTTPUnauthorized, get_transport_and_path
from dulwich.errors import GitProtocolError, HangupException, NotGitRepository
from dulwich.file import FileLocked

from lib.core.errors import PublishError
from lib.git.guard import refuse_foreign
from lib.git.history import ALL_HISTORY, fetch_depth, is_ancestor, reparent
from lib.git.objects import branch_ref, open_repo, read_ref, update_ref
from lib.core.log import Progress
from lib.core.redact import redact, register_secret

log = logging.getLogger(__name__)

PUSH_ATTEMPTS = 3
# Rejections that mean "the remote moved": worth a fetch, re-parent and retry. Anything else is final.
MOVED_MARKERS = ("non-fast-forward", "fetch first", "stale info", "remote moved", "failed to update ref",
                 "cannot lock ref", "failed to lock")
BLOBLESS = b"blob:none"   # issue 24: the filter of a fresh runner's fetch
TOKEN_HINT = "check BACKUP_PUSH_TOKEN / GITHUB_TOKEN: it must be valid and allowed to write contents"


class RemoteMoved(Exception):
    """The remote branch is not an ancestor of ours: fetch and re-parent, never force."""


def _is_url(location):
    return "://" in location


def _clean_url(url):
    """Return `url` without user info; a password found there is registered as a secret."""
    parts = urlsplit(url)
    if parts.password:
        register_secret(parts.password)
    if parts.username or parts.password:
        return urlunsplit(parts._replace(netloc=parts.hostname + (f":{parts.port}" if parts.port else "")))
    return url


def resolve_remote(repo, remote):
    """Return the URL or absolute path behind a remote name, URL or local path."""
    if not remote:
        raise PublishError("no git remote configured", hint="set BACKUP_GIT_REMOTE to a remote name, URL or path")
    try:
        url = repo.get_config().get((b"remote", remote.encode()), b"url").decode()
        location = url
    except KeyError:
        location = remote
    if _is_url(location):
        if location.startswith("file://"):
            return location[len("file://"):]
        return location
    if ":" in location and not location.startswith(("/", ".")):
        return location   # scp-style ssh; dulwich handles it
    path = os.path.abspath(location)
    if not os.path.isdir(path):
        raise PublishError(f"git remote {remote!r} is not reachable: {path} does not exist",
                           hint="create the bare repository (git init --bare) or fix BACKUP_GIT_REMOTE")
    return path


def _credentials_kwargs(location, credentials):
    if not credentials or not _is_url(location):
        return {}
    username, password = credentials
    register_secret(password)
    return {"username": username, "password": password}


def client_for(location, credentials):
    """Return (dulwich client, path on the remote) for a resolved location, credentials only over http(s)."""
    client, path = get_transport_and_path(location, **_credentials_kwargs(location, credentials))
    return client, path


def describe_location(location):
    """Return the location as a log line may show it: user info and secrets removed."""
    return redact(_clean_url(location)) if _is_url(location) else location


def guarded(action, location, func):
    """Run `func`, turning transport failures into PublishError with secrets removed."""
    where = describe_location(location)
    try:
        return func()
    except PublishError:
        raise
    except (HTTPUnauthorized, HTTPProxyUnauthorized):
        raise PublishError(f"{action} {where} refused: the remote rejected the credentials (HTTP 401)",
                           hint=TOKEN_HINT) from None
    except RemoteMoved:
        raise
    except FileLocked as exc:
        lock = os.fsdecode(exc.args[-1]) if exc.args else "a .lock file"
        raise PublishError(f"{action} {where} failed: {lock} exists (another writer, or one killed mid-update)",
                           hint="if no other push is running, delete that .lock file and re-run") from None
    except NotGitRepository:
        raise PublishError(f"{action} {where} failed: not a git repository",
                           hint="point BACKUP_GIT_REMOTE at a bare repository") from None
    except (GitProtocolError, HangupException, OSError, ValueError) as exc:
        detail = redact(str(exc)) or type(exc).__name__
        if "403" in detail:
            raise PublishError(f"{action} {where} refused (HTTP 403): {detail}", hint=TOKEN_HINT) from None
        raise PublishError(f"{action} {where} failed: the remote is unreachable or refused ({detail})",
                           hint="check the network and BACKUP_GIT_REMOTE; nothing was changed locally") from None
    except Exception as exc:   # urllib3 and socket errors surface under many names
        if type(exc).__module__.startswith(("urllib3", "socket", "ssl", "http")):
            detail = redact(str(exc))
            raise PublishError(f"{action} {where} failed: the remote is unreachable ({type(exc).__name__}: "
                               f"{detail})", hint="check the network and BACKUP_GIT_REMOTE") from None
        raise


def remote_tip(location, branch, credentials=None, action="ls-remote"):
    """Return the sha (bytes) of `branch` on the remote, or None when it does not exist there."""
    ref = branch_ref(branch)

    def run():
        client, path = client_for(location, credentials)
        refs = client.get_refs(path.encode() if isinstance(path, str) else path, ref_prefix=[ref]).refs
        return refs.get(ref)
    return guarded(action, location, run)


def fetch_branch(repo_path, remote, branch, credentials=None, deepen=None, blobless=False):
    """Fetch only `branch`, move the local branch up to the remote tip; return the remote tip (str) or None.

    Without a local tip only the remote tip and its tree are fetched (shallow); `deepen` (N snapshots, 0 = all)
    fetches more of the history into a shallow repository (see history.fetch_depth). `blobless` (issue 24):
    commits and trees only where the server filters (smart HTTP, GitHub); lib.git.partial fetches blobs by id.
    """
    ref = branch_ref(branch)
    with open_repo(repo_path) as repo:
        location = resolve_remote(repo, remote)
        depth = fetch_depth(repo, read_ref(repo, ref), deepen)

        def wants(refs, depth=None):
            sha = refs.get(ref)
            # Deepening asks for a tip we may already hold: the server then sends the history below it.
            return [sha] if sha and (depth or sha not in repo.object_store) else []

        def run():
            client, path = client_for(location, credentials)
            return client.fetch(path, repo, determine_wants=wants, ref_prefix=[ref], depth=depth,
                                filter_spec=BLOBLESS if blobless else None)
        result = guarded("fetch from", location, run)
        tip = (result.refs or {}).get(ref)
        if tip is None:
            log.info("remote %s has no %s yet: first backup", describe_location(location), branch)
            return None
        local = read_ref(repo, ref)  # checked when the run started: only what the remote adds is walked
        refuse_foreign(repo, branch, tip, [local], f"on the remote {describe_location(location)}")
        name = remote if location != remote and not _is_url(remote) else "backup"
        tracking = b"refs/remotes/" + name.encode() + b"/" + ref[len(b"refs/heads/"):]
        repo.refs[tracking] = tip
        history = f" ({'all' if depth == ALL_HISTORY else depth} snapshot(s) of history)" if depth else ""
        if local == tip:
            log.info("fetched %s: local and remote at %s%s", branch, tip.decode()[:12], history)
        elif local is None or local not in repo.object_store or is_ancestor(repo, local, tip):
            update_ref(repo, ref, local, tip)
            log.info("fetched %s: local branch moved to the remote tip %s%s", branch, tip.decode()[:12], history)
        elif is_ancestor(repo, tip, local):
            log.info("fetched %s: local is ahead of the remote (%s), push pending", branch, tip.decode()[:12])
        else:
            reparent(repo, ref, local, tip)
        return tip.decode()


def _counted(records, count):
    """Pass the pack's objects through, reporting how many were sent (a first push can take minutes)."""
    progress = Progress(log, "push: sending", count, unit="objects", scale=1)
    for number, record in enumerate(records, 1):
        progress.update(number)
        yield record


def _push_once(repo_path, location, ref, credentials):
    """Send the one ref with the same client as fetch (porcelain.push would add config extra headers)."""
    with open_repo(repo_path) as repo:
        local = read_ref(repo, ref)

        def update_refs(refs):
            remote = refs.get(ref)
            if remote is not None and remote != local and not is_ancestor(repo, remote, local):
                raise RemoteMoved(remote, local)   # never force: re-parent instead
            return {ref: local}

        def pack_data(have, want, *, ofs_delta=False, progress=None):
            count, records = repo.generate_pack_data(set(have), set(want), progress=progress, ofs_delta=ofs_delta)
            return count, _counted(records, count)

        client, path = client_for(location, credentials)
        output = io.BytesIO()
        result = client.send_pack(path.encode() if isinstance(path, str) else path, update_refs,
                                  generate_pack_data=pack_data, progress=output.write)
    log.debug("push output: %s", redact(output.getvalue().decode("utf-8", "replace")))
    return {r.decode(): (e.decode() if isinstance(e, bytes) else str(e))
            for r, e in (result.ref_status or {}).items() if e}


def push_branch(repo_path, remote, branch, credentials=None, attempts=PUSH_ATTEMPTS):
    """Push `branch` without force, re-parenting onto a moved remote; return {pushed, remote_tip, attempts}."""
    ref = branch_ref(branch)
    with open_repo(repo_path) as repo:
        location = resolve_remote(repo, remote)
    where = describe_location(location)
    for attempt in range(1, attempts + 1):
        with open_repo(repo_path) as repo:
            local = read_ref(repo, ref)
        if local is None:
            raise PublishError(f"nothing to push: {branch} does not exist locally",
                               hint="run the publish step to create a snapshot first")
        before = remote_tip(location, branch, credentials, "push to")
        if before == local:
            log.info("push: %s at %s already has %s", where, local.decode()[:12], branch)
            return {"pushed": False, "remote_tip": local.decode(), "attempts": attempt}
        try:
            failed = guarded("push to", location, lambda: _push_once(repo_path, location, ref, credentials))
        except RemoteMoved:
            failed = {ref.decode(): "remote moved (non-fast-forward)"}
        if failed and not any(m in reason.lower() for reason in failed.values() for m in MOVED_MARKERS):
            reasons = "; ".join(f"{ref}: {reason}" for ref, reason in failed.items())
            raise PublishError(f"push to {where} rejected ({redact(reasons)})",
                               hint="the remote refused the update (branch protection or a hook); "
                                    "allow pushes to this branch")
        if failed:
            log.warning("push to %s attempt %d/%d rejected (%s); fetching and re-parenting", where, attempt,
                        attempts, redact(str(failed)))
            fetch_branch(repo_path, remote, branch, credentials)
            continue
        after = remote_tip(location, branch, credentials, "push to")
        if after != local:
            log.warning("push to %s: remote tip is %s, expected %s; retrying", where,
                        after.decode()[:12] if after else None, local.decode()[:12])
            fetch_branch(repo_path, remote, branch, credentials)
            continue
        log.info("pushed %s to %s: remote tip %s (attempt %d)", branch, where, local.decode()[:12], attempt)
        return {"pushed": True, "remote_tip": local.decode(), "attempts": attempt}
    raise PublishError(f"push to {where} failed {attempts} times: the remote {branch} kept moving or refused",
                       hint="another writer is pushing to the same branch; re-run later (never forced)")
