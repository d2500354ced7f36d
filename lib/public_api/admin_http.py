"""HTTP for Notion's Admin API (api.notion.com/admin): bearer token, Notion-Version 2026-06-01, bounded retries."""
import json
import logging
import time
from email.utils import parsedate_to_datetime

import requests

from lib.http.resumable import TRANSIENT, LinkExpired, describe_body, host_of
from lib.core.errors import ExportError
from lib.snapshot.reachability import Reachability
from lib.core.redact import redact, register_secret

log = logging.getLogger(__name__)
ADMIN_API_VERSION = "2026-06-01"
RETRY_STATUSES = {429, 500, 502, 503, 504}
NETWORK_HINT = "check the network, DNS and NOTION_ADMIN_API_BASE_URL; the run resumes the same job when re-run"
TOKEN_HINT = ("check NOTION_ADMIN_TOKEN: an organization bot token with the scope workspace:export, on an "
              "Enterprise workspace")


class AdminApiError(ExportError):
    """The Admin API answered with an error that retrying does not fix; the message is Notion's own."""


class AdminHTTP:
    """Calls to the Admin API with the token, and plain downloads of its signed URLs (no token sent there)."""

    def __init__(self, token, base_url, timeout=60.0, max_retries=8, backoff=1.0, backoff_max=60.0,
                 connect_budget=30.0):
        register_secret(token)
        self.reach = Reachability(connect_budget)
        self.base_url = base_url.rstrip("/")
        self.timeout, self.max_retries = timeout, max_retries
        self.backoff, self.backoff_max = backoff, backoff_max
        self.retries_used = 0
        self.api = requests.Session()
        self.api.headers.update({"Authorization": f"Bearer {token}", "Notion-Version": ADMIN_API_VERSION,
                                 "User-Agent": "notion-git-backup (+https://github.com/)"})
        # A second session for the download URLs: they are signed, and must never receive the bearer token.
        self.files = requests.Session()
        self.files.headers["User-Agent"] = self.api.headers["User-Agent"]

    @classmethod
    def for_config(cls, cfg):
        """The Admin API session the configuration describes (the export.* HTTP budgets apply)."""
        return cls(cfg.secret("NOTION_ADMIN_TOKEN"), cfg["notion.admin_api_base_url"],
                   timeout=cfg["export.http_timeout_seconds"], max_retries=cfg["export.http_retries"],
                   backoff=cfg["export.retry_backoff_seconds"], backoff_max=cfg["export.retry_backoff_max_seconds"],
                   connect_budget=cfg["notion.connect_budget_seconds"])

    def close(self):
        """Close both connection pools."""
        self.api.close()
        self.files.close()

    def wait(self, what, attempt, reason, retry_after=None, cap=None):
        """Sleep before retry `attempt` of `what` (Retry-After first, else doubling); raise once retries are spent."""
        if attempt > self.max_retries:
            raise ExportError(f"{what}: gave up after {self.max_retries} retries, last answer: {redact(reason)}",
                              hint="Notion's Admin API or the network kept failing; re-run later (the job resumes)")
        pause = min(self.backoff_max, self.backoff * 2 ** (attempt - 1), cap if cap is not None else float("inf"))
        if retry_after is not None:  # Notion's own wait wins, up to five minutes
            pause = min(max(retry_after, 0.0), max(self.backoff_max, 300.0))
        log.warning("%s: %s; retry %d/%d in %.1f s", what, redact(reason), attempt, self.max_retries, pause)
        self.retries_used += 1
        time.sleep(pause)

    def call(self, method, path, query=None, body=None):
        """Send one Admin API request and return its JSON object, retrying 429, 5xx and dropped connections."""
        url, what = f"{self.base_url}/{path}", f"Admin API {method} /{path.split('?')[0]}"
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self.api.request(method, url, params=query, json=body, timeout=self.timeout,
                                            allow_redirects=False)
                self.reach.answered(host_of(url))
            except TRANSIENT as exc:  # a host nobody can connect to gets the short connect budget
                self.retry_after_failure(what, host_of(url), attempt, exc)
                continue
            except requests.RequestException as exc:
                raise ExportError(f"{what}: {type(exc).__name__}: {redact(str(exc))}",
                                  hint="check NOTION_ADMIN_API_BASE_URL") from None
            data = _json(response)
            if response.status_code in RETRY_STATUSES:
                why = "rate limited (429)" if response.status_code == 429 else _error_text(response, data)
                self.wait(what, attempt, why, _retry_after(response))
                continue
            if response.status_code != 200:
                raise _refusal(what, response, data)
            if not isinstance(data, dict):
                self.wait(what, attempt, f"answer is not a JSON object ({describe_body(response)})")
                continue
            return data

    def retry_after_failure(self, what, host, attempt, exc):
        """Wait before retrying after a connection-level failure; an unreachable host gets only the connect budget."""
        reason, cap = self.reach.judge((what, "Admin API", host, exc), attempt, self.max_retries, NETWORK_HINT)
        self.wait(what, attempt, reason, cap=cap)

    def get(self, url, headers=None):
        """GET a signed download URL, streamed, redirects returned (the shared download follows them)."""
        response = self.files.get(url, headers=headers or {}, timeout=self.timeout, stream=True,
                                  allow_redirects=False)
        self.reach.answered(host_of(url))
        return response


def _json(response):
    try:
        return json.loads(response.content.decode("utf-8", "replace").lstrip("\ufeff") or "null")
    except ValueError:
        return None


def _error_text(response, data):
    """Notion's error object as one line: `HTTP 400 validation_error: <message>` (else the body's start)."""
    if isinstance(data, dict) and (data.get("type") == "error" or "code" in data):
        return redact(f"HTTP {response.status_code} {data.get('code', '?')}: {data.get('message', '')}".strip())
    return describe_body(response)


def _refusal(what, response, data):
    """The error a non-retryable Admin API answer means, with the setting that fixes it."""
    status, text = response.status_code, _error_text(response, data)
    if status in (401, 403):
        return AdminApiError(f"{what} refused the token: {text}", hint=TOKEN_HINT)
    if status == 404:
        return AdminApiError(f"{what} found nothing: {text}", hint="check NOTION_SPACE_ID")
    return AdminApiError(f"{what} failed: {text}",
                         hint="check NOTION_ADMIN_USER_EMAIL (a member who may export) and NOTION_SPACE_ID")


def _retry_after(response):
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def download_refusal(response):
    """What an answer of the signed-URL host means: refused signature or expiry = fresh URLs needed."""
    status, text = response.status_code, describe_body(response)
    if status in (400, 403, 410):
        return LinkExpired(f"download URL refused: {text} (expired or invalid signed URL)",
                           hint="the status endpoint gives fresh URLs; re-run the export stage")
    if status >= 500 or status == 429:
        return None
    return ExportError(f"download failed: {text} from {host_of(response.url or '')}", hint="re-run the export stage")
