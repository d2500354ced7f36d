"""FakeNotion: Notion's internal API, notification host and file host as real loopback HTTP servers.

Hosts (each its own port on 127.0.0.1): `api_url` (www.notion.so), `app_url` (app.notion.com),
`file_url` (file.notion.so, needs the `file_token` cookie), `other_url` (a redirect target that needs no
cookie; `fake.requests` shows whether cookies arrived there anyway).

Faults and options (constructor kwargs, or change `fake.faults[...]` between calls). "n" counters are
consumed one per matching request; an int applies to every /api/v3 endpoint, a dict {endpoint: n} to those.
| key | default | effect |
|---|---|---|
| rate_limit | 0 | n answers 429 (`retry_after`: seconds for the Retry-After header, None = no header) |
| gateway_error | 0 | n answers 502 with a Cloudflare HTML page |
| bot_page | 0 | n answers 200 with an HTML bot-check page |
| reset | 0 | n connections reset without an answer |
| slow | 0 | n answers delayed by `slow_seconds` (client read timeout) |
| token_expires_after | None | after this many API calls every call answers 401 |
| task_failure / task_retryable_failure | 0 | the first n tasks end `failure` / `retryable_failure` (`failure_error`) |
| stuck | False | tasks stay `in_progress` forever, pagesExported frozen |
| export_polls | 3 | getTasks polls a task spends in_progress before its terminal state |
| link_via | None | `notification` / `status` (status.exportURL) / `child` (partitionedExportSpace) / `none`; None = notification for exportSpace, status for blocks |
| notification_delay | 0 | feed requests after success before the export-completed activity shows |
| link_delay | 0 | further feed requests during which that activity has no `edits[0].link` |
| wrap | "double" | notification records as `value.value` ("double") or `value` ("flat") |
| start_time_type | "str" | activity start_time as "str" or "int" |
| empty_feed_on_api | False | api host answers an empty feed; app host has the data |
| stale_exports | 1 | older export-completed activities whose links expired |
| recent_export_ms | None | an export-completed activity (link to a missing file: 404) finished this many ms before start |
| other_activity | True | newer unrelated activities (user-mentioned, commented) in the feed |
| clock_offset_ms | 0 | server clock minus client clock |
| set_file_token | True | `Set-Cookie: file_token=...; Path=/f` on getTasks and getNotificationLogV2 |
| download_needs_cookie | True | file host answers 403 "Access denied!" HTML without the file_token cookie |
| download_redirect | False | file host answers 302 to other_url |
| link_expired | False | links carry a past expirationTimestamp (400 on download) |
| download_html_200 / download_pdf | 0 | n downloads answer 200 with an HTML page / a PDF |
| download_truncate | 0 | n downloads advertise the full length, send half, close |
| download_drop | 0 | n downloads close the connection after `drop_after` bytes |
| download_rate | None | bytes per second cap on downloads (for interruption tests) |
| part_max_bytes / utf8_flag / unwrapped / corrupt_part | 500 MB / True / False / None | ZIP variants (see exports.py) |
"""
import hashlib
import hmac
import random
import shutil
import tempfile
import threading
import time
import uuid
from http.server import ThreadingHTTPServer
from pathlib import Path

from tests.fakes.exports import FakeWorkspace, write_export, write_unwrapped_export
from tests.fakes.notion_routes import Handler

DEFAULTS = dict(
    rate_limit=0, retry_after=1, gateway_error=0, bot_page=0, reset=0, slow=0, slow_seconds=2.0,
    token_expires_after=None, task_failure=0, task_retryable_failure=0, failure_error="Invalid input.",
    stuck=False, export_polls=3, link_via=None, notification_delay=0, link_delay=0, wrap="double",
    start_time_type="str", empty_feed_on_api=False, stale_exports=1, other_activity=True,
    clock_offset_ms=0, recent_export_ms=None, set_file_token=True, download_needs_cookie=True, download_redirect=False,
    link_expired=False, download_html_200=0, download_pdf=0, download_truncate=0, download_drop=0,
    drop_after=4096, download_rate=None, part_max_bytes=500 << 20, utf8_flag=True, unwrapped=False,
    corrupt_part=None, compresslevel=6,
    ui_email_export=False, ui_no_permission=False, ui_logged_out=False,  # web app pages: see notion_ui_pages.py
)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, fake, role):
        self.fake, self.role = fake, role
        super().__init__(("127.0.0.1", 0), Handler)

    def handle_error(self, request, client_address):
        pass  # a client that hangs up mid-body is normal in fault scenarios


class FakeNotion:
    """Context manager running the fake Notion hosts; see the module docstring for faults."""

    def __init__(self, workspace=None, token_v2=None, file_token=None, seed=0, **faults):
        unknown = set(faults) - set(DEFAULTS)
        if unknown:
            raise TypeError(f"unknown FakeNotion faults: {sorted(unknown)}")
        self.workspace = workspace or FakeWorkspace(seed=seed, pages=40, databases=2, attachments=5)
        self.token_v2 = token_v2 or f"v02%3Afake%3A{hashlib.sha1(str(seed).encode()).hexdigest()}"
        self.file_token = file_token or f"ft-{hashlib.sha1(f'file{seed}'.encode()).hexdigest()}"
        self.user_id = "9a1e2b3c-4d5e-4f60-8172-8394a5b6c7d8"
        self.faults = dict(DEFAULTS, **faults)
        self.requests, self.tasks, self.activities, self.notifications = [], {}, [], []
        self.transactions, self.exports = [], {}
        self.lock = threading.RLock()
        self._rng = random.Random(f"fake-notion-{seed}")
        self._secret = f"sig-{seed}".encode()
        self._api_calls = 0
        self._servers, self._threads = [], []
        self.workdir = None

    # -- lifecycle ----------------------------------------------------------------------------
    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        """Start the four servers on free ports."""
        self.workdir = Path(tempfile.mkdtemp(prefix="fake-notion-"))
        for role in ("api", "app", "file", "other"):
            server = _Server(self, role)
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
            thread.start()
            self._servers.append(server)
            self._threads.append(thread)
        for n in range(self.faults["stale_exports"]):
            self._add_stale_activity(n)
        if self.faults["recent_export_ms"] is not None:
            self._add_activity("export-completed", self.link_for(self.new_id(), self.new_id()),
                               self.now_ms() - int(self.faults["recent_export_ms"]))
        if self.faults["other_activity"]:
            for kind in ("user-mentioned", "commented"):
                self._add_activity(kind, None, self.now_ms() + 10 * 86400_000)

    def stop(self):
        """Stop the servers and delete the built exports."""
        stoppers = [threading.Thread(target=server.shutdown) for server in self._servers]
        for thread in stoppers:  # in parallel: each shutdown waits up to one poll interval
            thread.start()
        for thread, server in zip(stoppers, self._servers):
            thread.join()
            server.server_close()
        self._servers.clear()
        if self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def _url(self, index):
        return f"http://127.0.0.1:{self._servers[index].server_address[1]}"

    api_url = property(lambda self: self._url(0))
    app_url = property(lambda self: self._url(1))
    file_url = property(lambda self: self._url(2))
    other_url = property(lambda self: self._url(3))
    file_host = property(lambda self: self.file_url.split("//", 1)[1])

    def set_day(self, day):
        """Swap in the same workspace after `day` days of edits, for the next export."""
        with self.lock:
            self.workspace = self.workspace.with_changes(day=day)

    def env(self, file_token=True):
        """Return the environment variables the product needs to reach this fake."""
        return {
            "NATIVE_EXPORT_TOKEN_V2": self.token_v2,
            "NATIVE_EXPORT_FILE_TOKEN": self.file_token if file_token else "",
            "NOTION_SPACE_ID": self.workspace.space_id,
            "NOTION_BASE_URL": self.api_url,
            "NOTION_NOTIFICATION_BASE_URLS": f"{self.api_url},{self.app_url}",
            "NOTION_FILE_HOSTS": self.file_host,
        }

    # -- helpers used by the routes -----------------------------------------------------------
    def now_ms(self):
        """Server clock in epoch milliseconds (with the configured offset)."""
        return int(time.time() * 1000) + int(self.faults["clock_offset_ms"])

    def take(self, fault, endpoint=None):
        """Consume one unit of a counted fault for this endpoint; True when it fires."""
        with self.lock:
            value = self.faults.get(fault)
            if isinstance(value, dict):
                if value.get(endpoint, 0) > 0:
                    value[endpoint] -= 1
                    return True
                return False
            if value:
                self.faults[fault] = value - 1
                return True
            return False

    def count_api_call(self):
        """Count an authenticated API call; True when the token has expired by now."""
        with self.lock:
            self._api_calls += 1
            limit = self.faults["token_expires_after"]
            return limit is not None and self._api_calls > limit

    def sign(self, file_id, expires):
        """Signature of a download link."""
        return hmac.new(self._secret, f"{file_id}:{expires}".encode(), hashlib.sha256).hexdigest()[:32]

    def link_for(self, file_id, export_uuid, expires=None):
        """Build a signed download link on the file host."""
        if expires is None:
            expires = self.now_ms() + (-60_000 if self.faults["link_expired"] else 3600_000)
        return (f"{self.file_url}/f/t/{file_id}/Export-{export_uuid}.zip?table=user_export&id={file_id}"
                f"&spaceId=&expirationTimestamp={expires}&signature={self.sign(file_id, expires)}"
                f"&download=true&downloadName={file_id}%2FExport-{export_uuid}.zip")

    def new_id(self):
        """A deterministic uuid."""
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def build_export(self, task):
        """Build the ZIP for a task (in a background thread) and register its file id."""
        export_uuid, file_id = self.new_id(), self.new_id()
        path = self.workdir / f"{file_id}.zip"
        f, ws = self.faults, self.workspace
        if f["unwrapped"]:
            write_unwrapped_export(ws, path, root_id=task["root_id"], utf8_flag=f["utf8_flag"])
        else:
            write_export(ws, path, export_uuid, part_max_bytes=f["part_max_bytes"], utf8_flag=f["utf8_flag"],
                         root_id=task["root_id"], compresslevel=f["compresslevel"], corrupt_part=f["corrupt_part"])
        with self.lock:
            self.exports[file_id] = {"path": path, "uuid": export_uuid, "task": task["id"]}
            task["export"] = (file_id, export_uuid)

    def _add_activity(self, kind, link, start_ms, task_id=None):
        act_id, notif_id = self.new_id(), self.new_id()
        self.activities.append({"id": act_id, "type": kind, "space_id": self.workspace.space_id,
                                "start_time": start_ms, "end_time": start_ms, "link": link,
                                "task": task_id, "seen": 0, "notification_id": notif_id})
        self.notifications.append({"id": notif_id, "activity_id": act_id, "read": False, "visited": False,
                                   "archived_at": None, "type": kind, "end_time": str(start_ms)})
        return self.activities[-1]

    def _add_stale_activity(self, n):
        file_id, export_uuid = self.new_id(), self.new_id()
        link = self.link_for(file_id, export_uuid, expires=self.now_ms() - 3600_000 * (n + 1))
        self._add_activity("export-completed", link, self.now_ms() - 86400_000 * (n + 1))

    def complete(self, task):
        """Publish a finished task's link the way the configured protocol era does."""
        file_id, export_uuid = task["export"]
        link = self.link_for(file_id, export_uuid)
        via = self.faults["link_via"] or ("notification" if task["eventName"] == "exportSpace" else "status")
        task["status"] = {"type": "complete", "pagesExported": task["pages"]}
        if via == "status":
            task["status"]["exportURL"] = link
        elif via == "child":
            child_id = self.new_id()
            self.tasks[child_id] = {"id": child_id, "eventName": "partitionedExportSpace", "parent": task["id"],
                                    "state": "success", "request": {"spaceId": self.workspace.space_id},
                                    "status": {"type": "complete", "pagesExported": task["pages"], "exportURL": link},
                                    "polls": 99, "root_id": None, "export": task["export"]}
        elif via == "notification":
            self._add_activity("export-completed", link, self.now_ms(), task["id"])

    def calls(self, path_suffix, host=None):
        """Return the recorded requests whose path ends with `path_suffix` (optionally on one host)."""
        return [r for r in list(self.requests) if r["path"].endswith(path_suffix) and (host is None or r["host"] == host)]
