"""The remote's Git LFS store: the batch API over HTTP(S), streaming both ways, or a local remote's lfs/ folder."""
import logging
import os
from urllib.parse import urlsplit

import requests

from lib.config.rules import remote_host
from lib.core.errors import PublishError
from lib.git.lfs import LocalStore, pointers_in_tree
from lib.git.objects import branch_ref, open_repo, read_ref
from lib.core.log import Progress
from lib.core.redact import redact, register_secret
from lib.http.resumable import describe_body
from lib.http.retry import TRANSIENT, TRANSIENT_STATUSES, Retrier, RetryPolicy, response_retry_after

log = logging.getLogger(__name__)
MEDIA = "application/vnd.git-lfs+json"
TIMEOUT = (30, 300)
# git-lfs's own defaults (lfs.transfer.maxretries 8, maxretrydelay 10 s); half an hour at most for one object
POLICY = RetryPolicy(retries=8, base=0.5, cap=10.0, deadline=1800.0)
HINT = "check the LFS server (BACKUP_LFS_URL) and the push token; or set BACKUP_LFS=0 to leave large files out"


def endpoint(lfs_url, location):
    """Return the LFS endpoint: BACKUP_LFS_URL, else git-lfs's rule: `<remote>.git/info/lfs` over https for an
    https, ssh, git or scp-style (`git@host:org/repo.git`) remote, a local remote's lfs/ folder."""
    if lfs_url:
        return lfs_url.rstrip("/")
    host = remote_host(location)
    if "://" in location and not location.startswith(("ssh://", "git://", "git+ssh://", "ssh+git://")):
        base = location.rstrip("/")
    elif host:   # ssh, git and scp-style: git-lfs asks the same host over https, its port and user dropped
        path = urlsplit(location).path if "://" in location else location.split(":", 1)[1]
        base = f"https://{f'[{host}]' if ':' in host else host}/{path.strip('/')}"
    else:
        return "file://" + os.path.join(os.path.abspath(location), "lfs")
    return (base if base.endswith(".git") else base + ".git") + "/info/lfs"


def open_remote(url, credentials=None):
    """Return the remote store behind an endpoint URL: a folder for file://, the batch API otherwise."""
    if url.startswith("file://"):
        return FolderRemote(url[len("file://"):])
    return HttpRemote(url, credentials)


class FolderRemote:
    """A local bare remote's own LFS store (`<remote>/lfs/objects/...`), where git-lfs keeps it too."""

    def __init__(self, root):
        self.store = LocalStore(root)
        self.where = root

    def missing(self, objects):
        """Return the (oid, size) pairs of `objects` the store lacks."""
        return [(oid, size) for oid, size in objects if not self.store.has(oid, size)]

    def upload(self, local, objects):
        """Copy (or hard-link) the objects the store lacks from `local`; return how many were sent."""
        todo = self.missing(objects)
        for oid, _ in todo:
            self.store.add_file(local.path(oid))
        return len(todo)

    def download(self, oid, size, local):
        """Bring one object into `local`."""
        if not self.store.has(oid, size):
            raise PublishError(f"LFS object {oid} ({size} bytes) is not in {self.where}", hint=HINT)
        with open(self.store.path(oid), "rb") as handle:
            local.receive(oid, size, iter(lambda: handle.read(1 << 20), b""))


class HttpRemote:
    """The Git LFS batch API with Basic auth; transfers follow the `actions` it answers (headers included)."""

    def __init__(self, url, credentials=None, policy=POLICY):
        self.url, self.credentials = url.rstrip("/"), credentials
        self.where = redact(url)
        self.retry = Retrier(policy, exhausted=_spent)
        if credentials:
            register_secret(credentials[1])
        self.session = requests.Session()

    def _auth_for(self, href, action):
        """Our credentials go to the LFS server itself only, never to a storage host the batch answer names."""
        same = urlsplit(href).netloc == urlsplit(self.url).netloc
        return self.credentials if same and "Authorization" not in (action.get("header") or {}) else None

    def _send(self, method, url, what, **kwargs):
        """One request, tried again after a pause on a dropped connection, a 429 or a 5xx; PublishError on a refusal."""
        body, attempt, label = kwargs.get("data"), 0, f"LFS {what} at {self.where}"
        while True:
            if hasattr(body, "seek"):
                body.seek(0)   # a retried upload streams the file from its start again
            try:
                response = self.session.request(method, url, timeout=TIMEOUT, **kwargs)
            except TRANSIENT as exc:
                attempt += 1
                self.retry.wait(label, attempt, type(exc).__name__)
                continue
            if response.status_code < 500 and response.status_code not in TRANSIENT_STATUSES:
                break
            attempt += 1
            reason = describe_body(response)
            response.close()
            self.retry.wait(label, attempt, reason, response_retry_after(response.headers))
        if response.status_code in (401, 403):
            raise PublishError(f"LFS {what} at {self.where} refused (HTTP {response.status_code})", hint=HINT)
        if response.status_code >= 400:
            raise PublishError(f"LFS {what} at {self.where} failed (HTTP {response.status_code}): "
                               f"{redact(response.text[:200])}", hint=HINT)
        return response

    def batch(self, operation, objects):
        """Return the batch answer's objects for `operation` (upload or download) of [(oid, size)]."""
        body = {"operation": operation, "transfers": ["basic"], "hash_algo": "sha256",
                "objects": [{"oid": oid, "size": size} for oid, size in objects]}
        response = self._send("POST", self.url + "/objects/batch", f"batch {operation}", json=body,
                              auth=self.credentials, headers={"Accept": MEDIA, "Content-Type": MEDIA})
        return response.json().get("objects", [])

    def missing(self, objects):
        """Return the (oid, size) pairs the server does not hold (a download batch answers 404 for them)."""
        return [(item["oid"], item["size"]) for item in self.batch("download", objects) if item.get("error")]

    def upload(self, local, objects):
        """Upload, streaming from the local store, every object the server asks for; return how many."""
        sent = 0
        for item in self.batch("upload", objects):
            if item.get("error"):
                raise PublishError(f"LFS upload of {item['oid']} refused: {redact(str(item['error']))}", hint=HINT)
            action = (item.get("actions") or {}).get("upload")
            if not action:
                continue   # the server holds it already
            with open(local.path(item["oid"]), "rb") as handle:
                headers = dict(action.get("header") or {}, **{"Content-Length": str(item["size"])})
                headers.setdefault("Content-Type", "application/octet-stream")
                self._send("PUT", action["href"], f"upload of {item['oid'][:12]}", data=handle, headers=headers,
                           auth=self._auth_for(action["href"], action))
            verify = (item.get("actions") or {}).get("verify")
            if verify:
                self._send("POST", verify["href"], "verify", json={"oid": item["oid"], "size": item["size"]},
                           headers=dict(verify.get("header") or {}), auth=self._auth_for(verify["href"], verify))
            sent += 1
        return sent

    def download(self, oid, size, local):
        """Bring one object into `local`, streaming, its sha256 checked."""
        item = (self.batch("download", [(oid, size)]) or [{}])[0]
        action = (item.get("actions") or {}).get("download")
        if item.get("error") or not action:
            raise PublishError(f"LFS object {oid} ({size} bytes) is not on {self.where}: "
                               f"{redact(str(item.get('error') or 'no download action'))}", hint=HINT)
        response = self._send("GET", action["href"], f"download of {oid[:12]}", stream=True,
                              headers=dict(action.get("header") or {}), auth=self._auth_for(action["href"], action))
        progress = Progress(log, f"LFS download {oid[:12]}", size)
        done = 0

        def chunks():
            nonlocal done
            for block in response.iter_content(1 << 20):
                done += len(block)
                progress.update(done)
                yield block
        try:
            local.receive(oid, size, chunks())
        except (requests.RequestException, ValueError) as exc:
            raise PublishError(f"LFS download of {oid} from {self.where} failed: {redact(str(exc))}",
                               hint=HINT) from None
        finally:
            response.close()


def _spent(what, reason, attempts, why):
    """The error once a transfer's retries are spent."""
    return PublishError(f"{what} failed after {attempts} attempts{why}: {reason}", hint=HINT)


def push_objects(repo_path, branch, remote_store):
    """Upload to `remote_store` the LFS objects the branch tip points to and it lacks; return how many were sent.

    Called before the branch is pushed, as git-lfs's pre-push hook does: the remote never names a missing object.
    """
    with open_repo(repo_path) as repo:
        tip = read_ref(repo, branch_ref(branch))
        pointers = pointers_in_tree(repo.object_store, repo[tip].tree) if tip else []
        local = LocalStore(os.path.join(repo.controldir(), "lfs"))
    objects = sorted({(oid, size) for _, oid, size in pointers})
    absent = [oid for oid, size in objects if not local.has(oid, size)]
    if absent:
        raise PublishError(f"{len(absent)} Git LFS object(s) of {branch} are missing from the local LFS store "
                           f"(first {absent[0]})", hint="re-run the publish step after a full `doit` run")
    sent = remote_store.upload(local, objects) if objects else 0
    if objects:
        # The store is asked again: a pointer is pushed only once its object is known to be there.
        lacking = remote_store.missing(objects)
        if lacking:
            raise PublishError(f"{len(lacking)} Git LFS object(s) are not on {remote_store.where} after the upload "
                               f"(first {lacking[0][0]}); nothing was pushed", hint=HINT)
        log.info("LFS: %d object(s) on %s, %d uploaded now", len(objects), remote_store.where, sent)
    return sent
