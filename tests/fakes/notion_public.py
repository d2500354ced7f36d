"""Loopback stand-in for Notion's public REST API (/v1/) with faults, answering as each Notion-Version does.

2025-09-03: databases as data sources; 2026-03-11: the Markdown endpoint (public_markdown.py); 2026-12-01:
Search and Query a data source give only the title unless `filter_properties` names more, a person's `name`
may be null. NEXT_VERSION stands for the version Notion announced after it (v2 Markdown by default, v1 refused)."""
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from tests.fakes.public_routes import dispatch
from tests.fakes.public_store import Store
from tests.fakes.public_workspace import build_workspace
from tests.fakes.public_writes import ApiError
from tests.harness import config_for

TOKEN = "ntn_fake_integration_token_0123456789abcdef"
NEXT_VERSION = "2099-01-01"  # Notion has not named it yet; its behaviour is documented
VERSIONS = {"2022-06-28", "2025-09-03", "2026-03-11", "2026-12-01", NEXT_VERSION}
MARKDOWN_VERSION = "2026-03-11"
TITLE_ONLY_LISTS = "2026-12-01"


@dataclass
class Faults:
    """Switches a test flips to make the stand-in misbehave like the real service."""

    rate_limit: tuple = None          # (requests per second, burst): token bucket, 429 on overflow
    storm: int = 0                    # the next N API requests get 429
    storm_retry_after: int = 0
    storm_plain: bool = False         # 429 without a JSON body
    errors: list = field(default_factory=list)   # queued (status, code) replies for the next requests
    short_pages: int = 0              # at most N items per page while has_more stays true
    down_after_writes: int = None     # after N writes every request gets 503
    apply_failing_write: bool = False # the write that crosses the limit is applied before failing
    file_ttl: int = 3600              # lifetime of signed file URLs
    users_forbidden: bool = False
    expired_links: int = 0            # the next N signed file URLs are issued already expired
    vanished: set = field(default_factory=set)   # ids that search still lists but every read answers 404
    refuse_embeds: bool = False       # embeds fail validation (Notion checks providers)
    uploads_refused: bool = False     # POST /v1/file_uploads answers 400 (file too large for the plan)
    ignore_synced_property_name: bool = False  # a new two-way relation's synced side keeps Notion's default name
    delay: float = 0.0                # seconds of latency per request
    markdown_record_limit: int = None  # GET /v1/pages/{id}/markdown renders this many blocks, the rest <unknown>
    markdown_unavailable: bool = False  # the Markdown endpoint answers 400 invalid_request_url (an API without it)
    markdown_broken: set = field(default_factory=set)  # page ids whose Markdown answers 400 validation_error
    refuse_markdown_bodies: bool = False  # POST /v1/pages with `markdown` answers 400 validation_error


class FakeNotionPublic:
    """Context manager: a real HTTP server on 127.0.0.1:0 with a seeded workspace."""

    def __init__(self, token=TOKEN, workspace=True, seed="notion-public", client_version=None, **workspace_options):
        self.token = token
        self.client_version = client_version  # the NOTION_API_VERSION api_env gives the product (None: its default)
        self.local = threading.local()
        self.store = Store(seed=seed)
        self.faults = self.store.faults = Faults()
        self.requests = []
        self.cursors = {}
        self.writes = 0
        self._bucket = None
        self.ids = build_workspace(self.store, **workspace_options) if workspace else {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.store.base_url = self.base_url
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    @property
    def empty_page_id(self):
        """The shared, empty page a restore can target."""
        return self.ids["restore_target"]

    @property
    def version(self):
        """The Notion-Version of the request this thread serves."""
        return getattr(self.local, "version", MARKDOWN_VERSION)

    def count(self, method=None, prefix="/v1/"):
        """Return how many recorded requests match a method and a path prefix."""
        return sum(1 for r in self.requests if (method is None or r["method"] == method)
                   and r["path"].startswith(prefix))

    def reset_requests(self):
        """Forget the recorded requests."""
        self.requests.clear()

    def _throttled(self):
        if not self.faults.rate_limit:
            return False
        rate, burst = self.faults.rate_limit
        now = time.monotonic()
        tokens, last = self._bucket or (burst, now)
        tokens = min(burst, tokens + (now - last) * rate)
        if tokens < 1:
            self._bucket = (tokens, now)
            return True
        self._bucket = (tokens - 1, now)
        return False

    def handle(self, method, path, params, body, headers):
        """Run one API request through auth, faults and routing; return (status, payload, headers)."""
        faults = self.faults
        if headers.get("Authorization") != f"Bearer {self.token}":
            raise ApiError(401, "unauthorized", "API token is invalid.")
        if not headers.get("Notion-Version"):
            raise ApiError(400, "missing_version", "Notion-Version header failed validation.")
        if headers.get("Notion-Version") not in VERSIONS:
            raise ApiError(400, "validation_error", "Notion-Version should be a supported version.")
        self.local.version = headers.get("Notion-Version")
        if path.endswith("/markdown") and headers.get("Notion-Version") < MARKDOWN_VERSION:
            raise ApiError(400, "invalid_request_url", "Invalid request URL.")  # the endpoint came with 2026-03-11
        if faults.storm > 0 or self._throttled():
            faults.storm = max(0, faults.storm - 1)
            raise ApiError(429, "rate_limited", "You have been rate limited. Please try again in a few minutes.",
                           {"Retry-After": str(faults.storm_retry_after)})
        if faults.errors:
            status, code = faults.errors.pop(0)
            raise ApiError(status, code, f"Injected {code}.")
        write = method != "GET" and not path.endswith("/query") and path != "/v1/search"
        if faults.down_after_writes is not None and self.writes >= faults.down_after_writes:
            raise ApiError(503, "service_unavailable", "Notion is unavailable, please try again later.")
        if write:
            self.writes += 1
            if faults.down_after_writes is not None and self.writes > faults.down_after_writes:
                if faults.apply_failing_write:
                    dispatch(self, method, path, params, body)
                raise ApiError(503, "service_unavailable", "Notion is unavailable, please try again later.")
        return 200, dispatch(self, method, path, params, body), {}


def _multipart(content_type, raw):
    """Return the first file part of a multipart/form-data body as bytes."""
    from email.parser import BytesParser
    message = BytesParser().parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
    for part in message.get_payload() or []:
        if part.get_filename() is not None or part.get_param("name", header="content-disposition") == "file":
            return part.get_payload(decode=True)
    return None


def _handler(fake):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self):
            super().setup()
            # Headers and body go out in two writes; without this, delayed ACKs add 40 ms per request.
            import socket
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, *args):
            pass

        def _reply(self, status, payload, headers=None, raw=None, ctype="application/json; charset=utf-8"):
            data = raw if raw is not None else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def _serve(self, method):
            split = urlsplit(self.path)
            params = {k: v[-1] for k, v in parse_qs(split.query).items()}
            listed = parse_qs(split.query)
            if "filter_properties" in listed or "filter_properties[]" in listed:
                params["filter_properties"] = listed.get("filter_properties", []) + listed.get("filter_properties[]", [])
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            record = {"method": method, "path": split.path, "url": self.path, "time": time.monotonic(), "status": None,
                      "version": self.headers.get("Notion-Version")}
            fake.requests.append(record)
            if fake.faults.delay:
                time.sleep(fake.faults.delay)
            if split.path.startswith("/files/"):
                return self._file(split.path, params, record)
            request_id = str(uuid.uuid4())
            try:
                ctype = self.headers.get("Content-Type") or ""
                if ctype.startswith("multipart/form-data"):
                    body = {"__file__": _multipart(ctype, raw)}
                else:
                    try:
                        body = json.loads(raw) if raw else {}
                    except ValueError:
                        raise ApiError(400, "invalid_json", "Error parsing JSON body.")
                status, payload, headers = fake.handle(method, split.path, params, body, self.headers)
                payload = dict(payload, request_id=request_id)
            except ApiError as err:
                status, headers = err.status, err.headers
                payload = {"object": "error", "status": err.status, "code": err.code,
                           "message": err.message, "request_id": request_id}
                if err.status == 429 and fake.faults.storm_plain:
                    record["status"] = 429
                    return self._reply(429, None, headers, raw=b"Too Many Requests", ctype="text/plain")
            record["status"] = status
            self._reply(status, payload, headers)

        def _file(self, path, params, record):
            parts = path.split("/")
            key = parts[2] if len(parts) > 3 else ""
            entry = fake.store.files.get(key)
            if entry is None or not fake.store.check_signature(key, params.get("expires", 0), params.get("signature")):
                record["status"] = 403
                return self._reply(403, None, raw=b"<Error><Code>AccessDenied</Code></Error>",
                                   ctype="application/xml")
            record["status"] = 200
            self._reply(200, None, raw=entry[1], ctype="application/octet-stream")

        def do_GET(self):
            self._serve("GET")

        def do_POST(self):
            self._serve("POST")

        def do_PATCH(self):
            self._serve("PATCH")

        def do_DELETE(self):
            self._serve("DELETE")

    return Handler


def api_env(fake, **extra):
    """The environment that points the product at the stand-in, with a fast limiter and short backoff."""
    env = {"NOTION_API_KEY": fake.token, "NOTION_API_BASE_URL": fake.base_url,
           "NOTION_API_REQUESTS_PER_SECOND": 1000, "NOTION_API_BACKOFF_SECONDS": 0.01, "NOTION_API_MAX_RETRIES": 4}
    if fake.client_version:
        env["NOTION_API_VERSION"] = fake.client_version
    env.update(extra)
    return env


def api_settings(fake, **extra):
    """The product's Config for that environment."""
    return config_for(api_env(fake, **extra))
