"""FakeNotionAdmin: Notion's Admin API workspace export and its signed-URL file host, as loopback HTTP servers.

Endpoints (developers.notion.com, "Enqueue a workspace export" / "Get workspace export status"), under
`admin_url` (= https://api.notion.com/admin), every call with `Authorization: Bearer <token>` and
`Notion-Version: 2026-06-01`; errors are `{type: "error", code, status, message}`:
- `POST /v1/exports` {export_type, space_id, on_behalf_of_user_email, ...} -> {status, task_id}
- `GET /v1/exports/{id}?space_id=` -> {export_job_id, export_type, export_format, status (in_progress, completed,
  failed), created_at, updated_at, pages_exported, download_available, download_urls, url_expires_at (epoch ms),
  final_zip_file_size_bytes, error_type, error_message}
The export is built from the same FakeWorkspace as FakeNotion's (tests/fakes/exports.py): the wrapper of
`Export-<uuid>-Part-N.zip` shards; by default each shard is one download URL on the file host (`file_url`),
signed and expiring like S3 (403 AccessDenied XML once expired or tampered).

Faults (constructor kwargs, or `fake.faults[...]` between calls); "n" counters are consumed one per request,
an int for every API endpoint, a dict {"exports": n, "status": n} for one of them:
| key | default | effect |
|---|---|---|
| export_polls | 2 | status polls a job answers in_progress before it completes |
| job_seconds | 0 | and at least this many seconds after its enqueue (a slow job) |
| fail | 0 | the next n jobs end `failed` with `failure_type` / `failure_message` |
| rate_limit | 0 | n API answers 429 rate_limited (`retry_after` seconds in Retry-After, None = no header) |
| server_error | 0 | n API answers 503 with an HTML gateway page |
| completed_without_urls | 0 | n status answers say completed with download_available false and no URLs |
| expired_urls | 0 | the next n URL sets are issued already expired (url_expires_at in the past) |
| url_ttl | 3600 | seconds a URL set lives (a short one expires between parts) |
| report_expiry | True | answers carry url_expires_at (the field is optional; without it only a refusal tells) |
| part_max_bytes / url_layout | 200 kB / "parts" | shard size; "parts" = one URL per shard, "wrapper" = one URL for all |
| download_truncate / download_drop / drop_after / download_rate | 0 / 0 / 4096 / None | as in FakeNotion |
| huge_status | 0 | n status answers are a JSON object of `huge_bytes` (a runaway proxy), streamed in chunks |
| huge_bytes / huge_announced | 200 MB / False | its size; whether Content-Length announces it (else chunked) |
| urls_as_object | 0 | n completed answers carry download_urls as an object {"0": url, ...} instead of a list |
"""
import hashlib
import hmac
import json
import shutil
import tempfile
import threading
import time
import uuid
import zipfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.fakes.download_route import send_range
from tests.fakes.export_zip import write_export
from tests.fakes.exports import FakeWorkspace
from tests.fakes.notion_internal import FakeNotion
from tests.fakes.notion_routes import Handler
from tests.fakes.servers import start_servers, stop_servers

VERSION = "2026-06-01"
DEFAULTS = dict(export_polls=2, job_seconds=0.0, fail=0, failure_type="export_failed",
                failure_message="The export could not be completed: the workspace is too large for one export.",
                rate_limit=0, retry_after=1, server_error=0, completed_without_urls=0, expired_urls=0, url_ttl=3600, report_expiry=True,
                part_max_bytes=200_000, url_layout="parts", download_truncate=0, download_drop=0, drop_after=4096,
                download_rate=None, huge_status=0, huge_bytes=200_000_000, huge_announced=False, urls_as_object=0)
GATEWAY = "<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head><body>upstream</body></html>"
EXPIRED = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code>"
           "<Message>Request has expired</Message></Error>")


class FakeNotionAdmin:
    """Context manager running the Admin API host and the file host; see the module docstring."""

    def __init__(self, workspace=None, token=None, email="owner@example.com", seed=0, **faults):
        unknown = set(faults) - set(DEFAULTS)
        if unknown:
            raise TypeError(f"unknown FakeNotionAdmin faults: {sorted(unknown)}")
        self.workspace = workspace or FakeWorkspace(seed=seed, pages=40, databases=2, attachments=5)
        self.token = token or f"ntn_admin_{hashlib.sha1(f'admin{seed}'.encode()).hexdigest()}"
        self.email = email
        self.faults = dict(DEFAULTS, **faults)
        self.jobs, self.requests = {}, []
        self.lock = threading.RLock()
        self._secret = f"admin-sig-{seed}".encode()
        self._servers, self._builders = [], []
        self.workdir = None

    def __enter__(self):
        self.workdir = Path(tempfile.mkdtemp(prefix="fake-notion-admin-"))
        self._servers = start_servers(self, _Handler, ("api", "file"))
        return self

    def __exit__(self, *exc):
        stop_servers(self._servers)
        self.settle()
        shutil.rmtree(self.workdir, ignore_errors=True)

    admin_url = property(lambda self: f"http://127.0.0.1:{self._servers[0].server_address[1]}/admin")
    file_url = property(lambda self: f"http://127.0.0.1:{self._servers[1].server_address[1]}")

    def env(self):
        """The environment that makes the product use this stand-in (and nothing else)."""
        return {"NOTION_ADMIN_TOKEN": self.token, "NOTION_ADMIN_USER_EMAIL": self.email,
                "NOTION_SPACE_ID": self.workspace.space_id, "NOTION_ADMIN_API_BASE_URL": self.admin_url}

    take = FakeNotion.take  # counted faults work as in FakeNotion: int for all endpoints, dict per endpoint

    def calls(self, method=None, path_part=""):
        """The recorded requests (optionally of one method) whose path holds `path_part`."""
        return [r for r in list(self.requests) if (method is None or r["method"] == method) and path_part in r["path"]]

    # -- jobs ---------------------------------------------------------------------------------
    def enqueue(self, body):
        """Create a job and build its export in the background; return the job."""
        job_id = str(uuid.uuid4())
        job = {"id": job_id, "created_at": int(time.time() * 1000), "polls": 0, "fail": self.take("fail"),
               "files": None, "body": body, "urls": None}
        with self.lock:
            self.jobs[job_id] = job
        builder = threading.Thread(target=self._build, args=(job,), daemon=True)
        self._builders.append(builder)
        builder.start()
        return job

    def settle(self):
        """Wait for every export still being built (a test that traces memory stops tracing only after)."""
        for builder in self._builders:
            builder.join()

    def _build(self, job):
        export_uuid = str(uuid.uuid4())
        folder = self.workdir / job["id"]
        folder.mkdir()
        wrapper = folder / "wrapper.zip"
        names = write_export(self.workspace, wrapper, export_uuid, part_max_bytes=self.faults["part_max_bytes"])
        if self.faults["url_layout"] == "wrapper":
            files = [wrapper.rename(folder / f"Export-{export_uuid}.zip")]
        else:  # each shard its own file: the bytes of the part zip, as the wrapper held it
            files = []
            with zipfile.ZipFile(wrapper) as archive:
                for name in names:
                    with archive.open(name) as src, open(folder / name, "wb") as out:
                        shutil.copyfileobj(src, out, 1 << 20)
                    files.append(folder / name)
            wrapper.unlink()
        job["files"] = files

    def status(self, job):
        """The status answer of one poll of a job."""
        job["polls"] += 1
        pages = len([n for n in self.workspace.live_nodes() if n.kind != "db"])
        done = (job["files"] is not None and job["polls"] > self.faults["export_polls"]
                and time.time() * 1000 - job["created_at"] >= self.faults["job_seconds"] * 1000)
        answer = {"export_job_id": job["id"], "export_type": "space", "export_format": "markdown",
                  "created_at": job["created_at"], "updated_at": int(time.time() * 1000),
                  "pages_exported": pages if done else min(pages, job["polls"] * 7), "download_available": False,
                  "status": "in_progress"}
        if done and job["fail"]:
            answer.update(status="failed", error_type=self.faults["failure_type"],
                          error_message=self.faults["failure_message"])
        elif done and self.take("completed_without_urls"):
            answer.update(status="completed", download_urls=[])
        elif done:
            expires = int(time.time() * 1000) + int(self.faults["url_ttl"] * 1000)
            if self.take("expired_urls"):
                expires = int(time.time() * 1000) - 60_000
            urls = [self.sign(job, n, path.name, expires) for n, path in enumerate(job["files"])]
            answer.update(status="completed", download_available=True, download_urls=urls,
                          final_zip_file_size_bytes=sum(p.stat().st_size for p in job["files"]))
            if self.faults["report_expiry"]:
                answer["url_expires_at"] = expires
            if self.take("urls_as_object"):
                answer["download_urls"] = {str(n): url for n, url in enumerate(urls)}
        return answer

    def sign(self, job, index, name, expires):
        """A signed download URL of one file of a job."""
        signature = hmac.new(self._secret, f"{job['id']}/{index}:{expires}".encode(), "sha256").hexdigest()
        return f"{self.file_url}/exports/{job['id']}/{index}/{name}?X-Amz-Expires={expires}&X-Amz-Signature={signature}"

    def check(self, job_id, index, expires, signature):
        """True when a download URL's signature is genuine (expiry is checked apart)."""
        good = hmac.new(self._secret, f"{job_id}/{index}:{expires}".encode(), "sha256").hexdigest()
        return hmac.compare_digest(good, signature or "")


def _error(status, code, message):
    return status, {"object": "error", "type": "error", "status": status, "code": code, "message": message}


class _Handler(Handler):
    """One request on the Admin API host or the file host (FakeNotion's plumbing, this stand-in's routes)."""

    def _serve(self, method):
        fake, split = self.server.fake, urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        with fake.lock:
            fake.requests.append({"host": self.server.role, "method": method, "path": split.path, "query": query,
                                  "headers": dict(self.headers.items()), "time": time.time()})
        if self.server.role == "file":
            return self._file(split.path, query) if method == "GET" else self._send(405, "no", "text/plain")
        endpoint = "exports" if method == "POST" else "status"
        if fake.take("rate_limit", endpoint):
            after = fake.faults["retry_after"]
            status, body = _error(429, "rate_limited", "You have been rate limited. Please try again later.")
            return self._send(status, body, headers=[("Retry-After", str(after))] if after is not None else [])
        if fake.take("server_error", endpoint):
            return self._send(503, GATEWAY, "text/html")
        if endpoint == "status" and fake.take("huge_status"):
            return self._huge(fake.faults["huge_bytes"], fake.faults["huge_announced"])
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            return self._send(*_error(400, "invalid_json", "Error parsing JSON body."))
        self._send(*self._api(method, split.path, query, body))

    def _api(self, method, path, query, body):
        fake = self.server.fake
        if self.headers.get("Authorization") != f"Bearer {fake.token}":
            return _error(401, "unauthorized", "API token is invalid.")
        if self.headers.get("Notion-Version") != VERSION:
            return _error(400, "validation_error", f"Notion-Version should be \"{VERSION}\".")
        space = fake.workspace.space_id.replace("-", "")
        if method == "POST" and path == "/admin/v1/exports":
            if body.get("export_type") not in ("html", "markdown", "pdf"):
                return _error(400, "validation_error", "body.export_type should be one of html, markdown, pdf.")
            if str(body.get("space_id", "")).replace("-", "") != space:
                return _error(404, "object_not_found", "Could not find workspace with that space_id.")
            if body.get("on_behalf_of_user_email") != fake.email:
                return _error(400, "validation_error", "on_behalf_of_user_email is not a member of this workspace.")
            return 200, {"status": "in_progress", "task_id": fake.enqueue(body)["id"]}
        if method == "GET" and path.startswith("/admin/v1/exports/"):
            job = fake.jobs.get(path.rsplit("/", 1)[-1])
            if query.get("space_id", "").replace("-", "") != space or job is None:
                return _error(404, "object_not_found", "Could not find export job with that ID.")
            return 200, fake.status(job)
        return _error(400, "invalid_request_url", "Invalid request URL.")

    def _huge(self, size, announced):
        """A well-formed JSON status answer of `size` bytes, written a megabyte at a time (never held whole)."""
        head, tail = b'{"status": "in_progress", "padding": "', b'"}'
        block = b"x" * (1 << 20)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header(*(("Content-Length", str(size)) if announced else ("Transfer-Encoding", "chunked")))
        self.end_headers()
        self.close_connection = True
        left = size - len(head) - len(tail)
        pieces = [p for p in [head] + [block] * (left // len(block)) + [block[:left % len(block)], tail] if p]
        try:
            for piece in pieces:
                self.wfile.write(piece if announced else b"%x\r\n%s\r\n" % (len(piece), piece))
            if not announced:
                self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading: the point of this fault

    def _file(self, path, query):
        fake = self.server.fake
        parts = path.split("/")  # /exports/<job>/<index>/<name>
        job = fake.jobs.get(parts[2]) if len(parts) == 5 and parts[1] == "exports" else None
        try:
            index, expires = int(parts[3]), int(query.get("X-Amz-Expires", ""))
        except (IndexError, ValueError):
            index = expires = None
        if job is None or index is None or not fake.check(job["id"], index, expires, query.get("X-Amz-Signature")):
            return self._send(403, EXPIRED.replace("Request has expired", "Invalid signature"), "application/xml")
        if expires < time.time() * 1000:
            return self._send(403, EXPIRED, "application/xml")
        send_range(self, job["files"][index], fake)

    def do_GET(self):
        self._serve("GET")

    def do_POST(self):
        self._serve("POST")
