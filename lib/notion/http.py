"""HTTP session for Notion's internal /api/v3: cookie scoping, bounded retries, lenient JSON."""
import json
import logging
from http.cookiejar import DefaultCookiePolicy
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import requests

from lib.core.errors import AuthError, ExportError
from lib.core.redact import redact, register_secret
from lib.http.answers import WINDOW, excerpt, json_of, read_capped
from lib.http.reachability import HostUnreachable  # noqa: F401 (the face of a refusal here)
from lib.http.resumable import describe_body
from lib.http.retry import TRANSIENT, TRANSIENT_STATUSES, Retrier, RetryPolicy, export_policy, response_retry_after

log = logging.getLogger(__name__)
AUTH_HINT = "refresh NATIVE_EXPORT_TOKEN_V2 (README: Refreshing cookies)"
RETRY_STATUSES = TRANSIENT_STATUSES | {520, 521, 522, 523, 524, 525, 526, 527, 530}  # Cloudflare's own, in front
CONNECT_TIMEOUT = 10.0  # a host that never accepts the connection costs this much per attempt, not the read timeout
MAX_ANSWER_BYTES = 64 << 20  # task and notification answers: kilobytes to a few megabytes; more is refused unread
NETWORK_HINT = "check the network, DNS and NOTION_BASE_URL / NOTION_NOTIFICATION_BASE_URLS; the run resumes when re-run"


class _BlockAll(DefaultCookiePolicy):
    """The session jar never stores cookies: each request gets exactly the cookies we choose."""

    def set_ok(self, cookie, request):
        return False


def netloc(url):
    """Return host[:port] of a URL (or of a bare host), lower case, default ports dropped."""
    split = urlsplit(url if "//" in url else "//" + url)
    host = (split.hostname or "").lower()
    port = split.port
    if port is None or (split.scheme, port) in (("https", 443), ("http", 80)):
        return host
    return f"{host}:{port}"


def host_matches(url, hosts):
    """True when the URL's host is in `hosts`; an entry with a port must match the port too."""
    here = netloc(url)
    bare = here.split(":", 1)[0]
    for entry in hosts:
        entry = netloc(entry.strip())
        if entry and (entry == here or (":" not in entry and entry == bare)):
            return True
    return False


def unwrap(record):
    """Return the record inside Notion's `value` / `value.value` wrappers."""
    for _ in range(3):
        if isinstance(record, dict) and "id" not in record and isinstance(record.get("value"), dict):
            record = record["value"]
    return record


def describe(response, body=None):
    """A short, secret-free description of an HTTP answer for messages (Notion's error name and message if any).

    `body` is the body when the caller has read it already; else only its first few kilobytes are read.
    """
    body = next(response.iter_content(WINDOW), b"") if body is None else body
    data = json_of(body)
    if isinstance(data, dict) and (data.get("name") or data.get("message")):
        detail = " ".join(str(data[k]) for k in ("name", "message", "debugMessage") if data.get(k))
        return excerpt(f"HTTP {response.status_code} {detail}")
    return describe_body(response, body)


class NotionHTTP:
    """A requests.Session wrapper that knows which Notion host gets which cookie."""

    def __init__(self, token_v2, file_token, space_id, api_urls, file_hosts, timeout=60.0, policy=RetryPolicy(),
                 connect_budget=30.0):
        for secret in (token_v2, file_token):
            register_secret(secret)
        self.token_v2, self.space_id = token_v2, space_id
        self.configured_file_token, self.harvested_file_token = file_token or "", ""
        self.api_hosts = [netloc(u) for u in api_urls]
        self.file_hosts = [h.strip() for h in file_hosts if h.strip()]
        self.timeout = timeout
        self.retry = Retrier(policy, connect_budget=connect_budget,
                             hint="Notion or the network kept failing; re-run later (the run resumes)")
        self.session = requests.Session()
        self.session.cookies.set_policy(_BlockAll())
        self.session.headers["User-Agent"] = "notion-git-backup (+https://github.com/)"

    @classmethod
    def for_config(cls, cfg):
        """The session the export and the browser fallback use, as the configuration says."""
        return cls(cfg.secret("NATIVE_EXPORT_TOKEN_V2"), cfg.secret("NATIVE_EXPORT_FILE_TOKEN"), cfg.space_id,
                   [cfg["notion.base_url"], *cfg["notion.notification_base_urls"]], cfg["notion.file_hosts"],
                   timeout=cfg["export.http_timeout_seconds"], policy=export_policy(cfg),
                   connect_budget=cfg["notion.connect_budget_seconds"])

    @property
    def retries_used(self):
        """Retries of this session so far (failures.json counts them)."""
        return self.retry.count

    @property
    def file_token(self):
        """The file_token to send: the newest one Notion set, else the configured one."""
        return self.harvested_file_token or self.configured_file_token

    def cookies_for(self, url):
        """Return the Cookie header value for this URL (empty for hosts that are not Notion's)."""
        parts = []
        if netloc(url) in self.api_hosts:
            parts.append(f"token_v2={self.token_v2}")
        if self.file_token and host_matches(url, self.file_hosts):
            parts.append(f"file_token={self.file_token}")
        return "; ".join(parts)

    def _harvest(self, response):
        for header in response.raw.headers.getlist("Set-Cookie") if response.raw is not None else []:
            jar = SimpleCookie()
            try:
                jar.load(header)
            except Exception:  # a malformed cookie from Notion is not our problem
                continue
            if "file_token" in jar and jar["file_token"].value and jar["file_token"].value != self.harvested_file_token:
                register_secret(jar["file_token"].value)
                self.harvested_file_token = jar["file_token"].value
                log.info("file_token received from Notion (Set-Cookie); it will be sent to the file host")

    def wait(self, what, attempt, reason):
        """Sleep before retry `attempt` of `what` (the shared download's call); raise once retries are spent."""
        self.retry.wait(what, attempt, reason)

    def post(self, base_url, endpoint, body):
        """POST /api/v3/<endpoint> and return the parsed JSON, retrying transient failures."""
        url = f"{base_url.rstrip('/')}/api/v3/{endpoint}"
        headers = {"Content-Type": "application/json", "Cookie": self.cookies_for(url)}
        if self.space_id:
            headers["x-notion-space-id"] = self.space_id
        attempt, host = 0, netloc(url)
        while True:
            attempt += 1
            try:
                response = self.session.post(url, data=json.dumps(body), headers=headers, allow_redirects=False,
                                             timeout=(min(self.timeout, CONNECT_TIMEOUT), self.timeout), stream=True)
                self.retry.answered(host)
                with response:
                    raw = read_capped(response, MAX_ANSWER_BYTES, f"Notion {endpoint}")
            except TRANSIENT as exc:
                self.retry_after_failure(endpoint, host, attempt, exc)
                continue
            except requests.RequestException as exc:
                raise ExportError(f"Notion {endpoint}: {type(exc).__name__}: {redact(str(exc))}",
                                  hint="check NOTION_BASE_URL / NOTION_NOTIFICATION_BASE_URLS") from None
            self._harvest(response)
            status, data = response.status_code, json_of(raw)
            if status == 401 or (status == 400 and isinstance(data, dict) and data.get("name") == "DecryptionError"):
                raise AuthError(f"token_v2 expired or invalid: {AUTH_HINT}; Notion answered {describe(response, raw)} "
                                f"to {endpoint}", hint="")
            if status in RETRY_STATUSES:
                why = "rate limited (429)" if status == 429 else f"server error {describe(response, raw)}"
                self.retry.wait(f"Notion {endpoint}", attempt, why, response_retry_after(response.headers))
                continue
            if status != 200:
                raise ExportError(f"Notion {endpoint} refused the request: {describe(response, raw)}",
                                  hint="check NOTION_SPACE_ID and the export settings")
            if not isinstance(data, dict):
                self.wait(f"Notion {endpoint}", attempt, f"answer is not JSON ({describe(response, raw)}), "
                          "likely a Cloudflare or bot-check page")
                continue
            return data

    def retry_after_failure(self, what, host, attempt, exc):
        """Wait before retrying a failed request; a host that cannot be connected to gets only the connect budget."""
        self.retry.after_failure((f"Notion {what}", "Notion", host, exc), attempt, NETWORK_HINT)

    def get(self, url, headers=None, stream=True):
        """GET with the cookies this host may receive; redirects are returned, not followed."""
        headers = dict(headers or {})
        cookie = self.cookies_for(url)
        if cookie:
            headers["Cookie"] = cookie
        response = self.session.get(url, headers=headers, timeout=(min(self.timeout, CONNECT_TIMEOUT), self.timeout),
                                    stream=stream, allow_redirects=False)
        self.retry.answered(netloc(url))
        return response
