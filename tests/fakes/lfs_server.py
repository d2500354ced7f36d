"""A Git LFS server stand-in on 127.0.0.1: the batch API with Basic auth, transfers on a separate storage host.

Like GitHub's: `POST <endpoint>/objects/batch` needs the push credential; the answer's `actions` point at a
storage host (another port) and carry their own `Authorization` header, which is all that host accepts, so a
client that sent its own credential there (or none) is refused. Objects stream to and from disk in git-lfs's
layout (`objects/aa/bb/<oid>`); an upload whose bytes do not hash to its oid is refused. Faults: `fail_uploads`
(that many PUTs answer 503, with `Retry-After: <retry_after>` when it is not None), `lose_uploads` (that many
PUTs answer 200 and keep nothing: a store that loses writes), `expect_verify` (answers carry a verify action).
Every request is recorded, with the time it arrived.
"""
import base64
import hashlib
import hmac
import json
import os
import shutil
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler

from tests.fakes.servers import start_servers, stop_servers

OID_HEX = set("0123456789abcdef")
CHUNK = 1 << 20


class FakeLFS:
    """Context manager running the LFS API host and its storage host."""

    def __init__(self, username="x-access-token", password="lfs-secret-token", fail_uploads=0, expect_verify=True,
                 retry_after=None, lose_uploads=0):
        self.username, self.password = username, password
        self.fail_uploads, self.expect_verify, self.retry_after = fail_uploads, expect_verify, retry_after
        self.lose_uploads = lose_uploads
        self.requests, self.lock = [], threading.Lock()
        self.root = tempfile.mkdtemp(prefix="fake-lfs-")
        self._key = os.urandom(16)
        self._servers = []

    def __enter__(self):
        self._servers = start_servers(self, _Handler, ("api", "storage"))
        return self

    def __exit__(self, *exc):
        stop_servers(self._servers)
        shutil.rmtree(self.root, ignore_errors=True)

    def _url(self, index):
        return f"http://127.0.0.1:{self._servers[index].server_address[1]}"

    @property
    def url(self):
        """The LFS endpoint (what BACKUP_LFS_URL names)."""
        return self._url(0) + "/org/backup.git/info/lfs"

    def path(self, oid):
        """Where an object is kept."""
        return os.path.join(self.root, "objects", oid[:2], oid[2:4], oid)

    def has(self, oid):
        """True when the object was uploaded."""
        return os.path.exists(self.path(oid))

    def objects(self):
        """Every stored oid."""
        return sorted(name for _, _, files in os.walk(os.path.join(self.root, "objects")) for name in files)

    def drop(self, oid):
        """Lose an object (a store that was cleaned up behind our back)."""
        os.unlink(self.path(oid))

    def ticket(self, oid):
        """The per-object credential the storage host accepts."""
        return "RemoteAuth " + hmac.new(self._key, oid.encode(), hashlib.sha256).hexdigest()

    def calls(self, method=None, role=None):
        """Recorded requests, filtered."""
        return [r for r in list(self.requests) if (method is None or r["method"] == method)
                and (role is None or r["role"] == role)]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _send(self, status, body=b"", kind="application/vnd.git-lfs+json", headers=()):
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _record(self):
        fake = self.server.fake
        with fake.lock:
            fake.requests.append({"role": self.server.role, "method": self.command, "path": self.path,
                                  "auth": self.headers.get("Authorization"), "time": time.monotonic()})
        return fake

    def do_POST(self):
        fake = self._record()
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.server.role == "storage":   # verify
            return self._send(200 if fake.has(self.path.rsplit("/", 2)[-2]) else 404, {})
        expected = "Basic " + base64.b64encode(f"{fake.username}:{fake.password}".encode()).decode()
        if self.headers.get("Authorization") != expected:
            return self._send(401, {"message": "Credentials needed"})
        request = json.loads(body)
        storage = fake._url(1)
        answer = []
        for item in request.get("objects", []):
            oid, size = item.get("oid", ""), item.get("size")
            entry = {"oid": oid, "size": size, "authenticated": True}
            if len(oid) != 64 or not set(oid) <= OID_HEX:
                entry["error"] = {"code": 422, "message": "invalid oid"}
            elif request["operation"] == "download":
                if fake.has(oid):
                    entry["actions"] = {"download": {"href": f"{storage}/objects/{oid}",
                                                     "header": {"Authorization": fake.ticket(oid)}}}
                else:
                    entry["error"] = {"code": 404, "message": "Object does not exist"}
            elif not fake.has(oid):
                entry["actions"] = {"upload": {"href": f"{storage}/objects/{oid}",
                                               "header": {"Authorization": fake.ticket(oid)}}}
                if fake.expect_verify:
                    entry["actions"]["verify"] = {"href": f"{storage}/objects/{oid}/verify",
                                                  "header": {"Authorization": fake.ticket(oid)}}
            answer.append(entry)
        self._send(200, {"transfer": "basic", "objects": answer})

    def _oid(self, fake):
        oid = self.path.rstrip("/").rsplit("/", 1)[-1]
        if self.server.role != "storage" or self.headers.get("Authorization") != fake.ticket(oid):
            return None
        return oid

    def do_PUT(self):
        fake = self._record()
        length = int(self.headers.get("Content-Length") or 0)
        oid = self._oid(fake)
        if oid is None:
            self.rfile.read(length)
            return self._send(403, {"message": "bad ticket"})
        with fake.lock:
            failing = fake.fail_uploads > 0
            fake.fail_uploads -= 1 if failing else 0
        if failing:
            self.rfile.read(length)
            after = [("Retry-After", str(fake.retry_after))] if fake.retry_after is not None else []
            return self._send(503, {"message": "try again"}, headers=after)
        fd, tmp = tempfile.mkstemp(dir=fake.root)
        digest, left = hashlib.sha256(), length
        with os.fdopen(fd, "wb") as out:
            while left:
                block = self.rfile.read(min(CHUNK, left))
                if not block:
                    break
                digest.update(block)
                out.write(block)
                left -= len(block)
        if left or digest.hexdigest() != oid:
            os.unlink(tmp)
            return self._send(422, {"message": "content does not match the oid"})
        with fake.lock:
            losing = fake.lose_uploads > 0
            fake.lose_uploads -= 1 if losing else 0
        if losing:
            os.unlink(tmp)
            return self._send(200)
        os.makedirs(os.path.dirname(fake.path(oid)), exist_ok=True)
        os.replace(tmp, fake.path(oid))
        self._send(200)

    def do_GET(self):
        fake = self._record()
        oid = self._oid(fake)
        if oid is None or not fake.has(oid):
            return self._send(404 if oid else 403, {"message": "no such object"})
        size = os.path.getsize(fake.path(oid))
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        with open(fake.path(oid), "rb") as src:
            shutil.copyfileobj(src, self.wfile, CHUNK)
