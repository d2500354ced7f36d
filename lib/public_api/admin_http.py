"""HTTP for Notion's Admin API (api.notion.com/admin): bearer token, Notion-Version 2026-06-01, bounded retries."""
import logging

import requests

from lib.core.errors import ExportError
from lib.core.redact import redact, register_secret
from lib.http.answers import ListOf, check_fields, excerpt, json_of, read_capped
from lib.http.resumable import LinkExpired, describe_body, host_of
from lib.http.retry import TRANSIENT, TRANSIENT_STATUSES, Retrier, RetryPolicy, export_policy, response_retry_after

log = logging.getLogger(__name__)
ADMIN_API_VERSION = "2026-06-01"
NETWORK_HINT = "check the network, DNS and NOTION_ADMIN_API_BASE_URL; the run resumes the same job when re-run"
MAX_ANSWER_BYTES = 8 << 20  # a status answer lists URLs: kilobytes; a larger one is refused before it fills memory
SHAPES = {"status": str, "task_id": str, "export_job_id": str, "download_urls": ListOf(str), "pages_exported": int,
          "url_expires_at": (int, float), "final_zip_file_size_bytes": int, "error_type": str, "error_message": str}
TOKEN_HINT = ("check NOTION_ADMIN_TOKEN: an organization bot token with the scope workspace:export, on an "
              "Enterprise workspace")


class AdminApiError(ExportError):
    """The Admin API answered with an error that retrying does not fix; the message is Notion's own."""


class AdminHTTP:
    """Calls to the Admin API with the token, and plain downloads of its signed URLs (no token sent there)."""

    def __init__(self, token, base_url, timeout=60.0, policy=RetryPolicy(), connect_budget=30.0):
        register_secret(token)
        self.retry = Retrier(policy, connect_budget=connect_budget,
                             hint="Notion's Admin API or the network kept failing; re-run later (the job resumes)")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
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
                   timeout=cfg["export.http_timeout_seconds"], policy=export_policy(cfg),
                   connect_budget=cfg["notion.connect_budget_seconds"])

    @property
    def retries_used(self):
        """Retries of this session so far (failures.json counts them)."""
        return self.retry.count

    def wait(self, what, attempt, reason):
        """Sleep before retry `attempt` of `what` (the shared download's call); raise once retries are spent."""
        self.retry.wait(what, attempt, reason)

    def retry_after_failure(self, what, host, attempt, exc):
        """Wait before retrying after a connection-level failure; an unreachable host gets only the connect budget."""
        self.retry.after_failure((what, "Admin API", host, exc), attempt, NETWORK_HINT)

    def close(self):
        """Close both connection pools."""
        self.api.close()
        self.files.close()

    def call(self, method, path, query=None, body=None):
        """Send one Admin API request and return its JSON object, retrying 429, 5xx and dropped connections."""
        url, what = f"{self.base_url}/{path}", f"Admin API {method} /{path.split('?')[0]}"
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self.api.request(method, url, params=query, json=body, timeout=self.timeout,
                                            allow_redirects=False, stream=True)
                self.retry.answered(host_of(url))
                with response:
                    raw = read_capped(response, MAX_ANSWER_BYTES, what)
            except TRANSIENT as exc:  # a host nobody can connect to gets the short connect budget
                self.retry_after_failure(what, host_of(url), attempt, exc)
                continue
            except requests.RequestException as exc:
                raise ExportError(f"{what}: {type(exc).__name__}: {redact(str(exc))}",
                                  hint="check NOTION_ADMIN_API_BASE_URL") from None
            data = json_of(raw)
            if response.status_code in TRANSIENT_STATUSES:
                why = "rate limited (429)" if response.status_code == 429 else _error_text(response, data, raw)
                self.retry.wait(what, attempt, why, response_retry_after(response.headers))
                continue
            if response.status_code != 200:
                raise _refusal(what, response, data, raw)
            if not isinstance(data, dict):
                self.retry.wait(what, attempt, f"answer is not a JSON object ({describe_body(response, raw)})")
                continue
            check_fields(data, SHAPES, what)
            return data

    def get(self, url, headers=None):
        """GET a signed download URL, streamed, redirects returned (the shared download follows them)."""
        response = self.files.get(url, headers=headers or {}, timeout=self.timeout, stream=True,
                                  allow_redirects=False)
        self.retry.answered(host_of(url))
        return response


def _error_text(response, data, raw):
    """Notion's error object as one line: `HTTP 400 validation_error: <message>` (else the body's start)."""
    if isinstance(data, dict) and (data.get("type") == "error" or "code" in data):
        return excerpt(f"HTTP {response.status_code} {data.get('code', '?')}: {data.get('message', '')}".strip())
    return describe_body(response, raw)


def _refusal(what, response, data, raw):
    """The error a non-retryable Admin API answer means, with the setting that fixes it."""
    status, text = response.status_code, _error_text(response, data, raw)
    if status in (401, 403):
        return AdminApiError(f"{what} refused the token: {text}", hint=TOKEN_HINT)
    if status == 404:
        return AdminApiError(f"{what} found nothing: {text}", hint="check NOTION_SPACE_ID")
    return AdminApiError(f"{what} failed: {text}",
                         hint="check NOTION_ADMIN_USER_EMAIL (a member who may export) and NOTION_SPACE_ID")


def download_refusal(response):
    """What an answer of the signed-URL host means: refused signature or expiry = fresh URLs needed."""
    status, text = response.status_code, describe_body(response)
    if status in (400, 403, 410):
        return LinkExpired(f"download URL refused: {text} (expired or invalid signed URL)",
                           hint="the status endpoint gives fresh URLs; re-run the export stage")
    if status >= 500 or status == 429:
        return None
    return ExportError(f"download failed: {text} from {host_of(response.url or '')}", hint="re-run the export stage")
