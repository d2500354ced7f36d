"""Public-API client: notion-client plus throttling, retries, skip-on-404 and progress lines."""
import hashlib
import logging
import os
import tempfile
import time
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import httpx
from notion_client import Client
from notion_client.errors import HTTPResponseError, RequestTimeoutError

from lib.core.errors import AuthError, BackupError, ConfigError, ExportError
from lib.core.log import Progress
from lib.http.reachability import connect_failure_kind
from lib.http.retry import TRANSIENT_STATUSES, Retrier, capture_policy, response_retry_after
from lib.core.redact import RedactingFilter, redact, register_secret

log = logging.getLogger(__name__)
RETRY_STATUS = TRANSIENT_STATUSES | {409, 529}  # 409: a conflicting write; 529: Notion overloaded
SKIP_CODES = {"object_not_found", "restricted_resource"}


class NotionApiError(ExportError):
    """The public API answered with an error that retrying does not fix."""

    def __init__(self, message, status=None, code=None, hint=None):
        super().__init__(redact(message), hint)
        self.status, self.code = status, code


class NotionSkipped(Exception):
    """An object the integration cannot see (404 object_not_found or 403 restricted)."""

    def __init__(self, path, code):
        super().__init__(f"{path}: {code}")
        self.path, self.code = path, code


class ApiUnreachable(BackupError):
    """The public API host could not be connected to (refused, DNS, connect timeout) for the whole connect budget."""


class FileExpired(Exception):
    """A signed file URL was refused (expired); re-read the block for a fresh one."""


def _still_failing(what, reason, attempts, why):
    """The error once a request's retries are spent."""
    return NotionApiError(f"{what} still failing after {attempts} attempts{why} (last: {reason})",
                          hint="retry later or raise NOTION_API_MAX_RETRIES")


class NotionApi:
    """Throttled, retrying access to the public API through notion-client, as the `capture.*` settings say."""

    def __init__(self, cfg):
        api_key = cfg.secret("NOTION_API_KEY")
        if not api_key:
            raise ConfigError(["NOTION_API_KEY is empty: the public-API capture and restore need an "
                               "integration token (Notion → Settings → Integrations), set it in .env or CI secrets"])
        register_secret(api_key)
        self.cfg = cfg
        self.version = cfg["capture.notion_version"]
        self.max_retries = cfg["capture.max_retries"]
        timeout = cfg["capture.timeout_seconds"]
        sdk_log = logging.getLogger("notion_client")
        # httpx logs every URL at INFO, signed file links included: mask them at the source.
        for name in ("notion_client", "httpx"):
            logger = logging.getLogger(name)
            if not any(isinstance(f, RedactingFilter) for f in logger.filters):
                logger.addFilter(RedactingFilter())
        # Our own retry loop covers what the SDK's does not (502, 504, 529, timeouts), so turn the SDK's off.
        self._sdk_options = dict(auth=api_key, base_url=cfg["notion.api_base_url"].rstrip("/"),
                                 timeout_ms=int(timeout * 1000), retry=False, logger=sdk_log, log_level=logging.ERROR)
        self.client = Client(notion_version=self.version, **self._sdk_options)
        # Endpoints newer than NOTION_API_VERSION get their own client with their own Notion-Version header.
        self.clients = {self.version: self.client}
        self.http = httpx.Client(timeout=timeout, follow_redirects=True)
        self.host = urlsplit(cfg["notion.api_base_url"]).netloc
        self.retry = Retrier(capture_policy(cfg), connect_budget=cfg["notion.connect_budget_seconds"],
                             exhausted=_still_failing, on_retry=[self._count_retry], level=logging.INFO)
        self.reach = self.retry.reach
        self.stats = {"requests": 0, "retries": 0, "rate_limited": 0, "skipped": 0, "files": 0, "bytes": 0}
        self.skipped = []
        self._next_slot = 0.0
        self._progress = Progress(log, "api", unit="requests", scale=1, every=cfg["capture.progress_seconds"])

    def close(self):
        """Close every HTTP connection pool."""
        for client in self.clients.values():
            client.close()
        self.http.close()

    def _client_for(self, version):
        """The SDK client that sends `Notion-Version: version` (the configured one when None)."""
        version = version or self.version
        if version not in self.clients:
            self.clients[version] = Client(notion_version=version, **self._sdk_options)
        return self.clients[version]

    def _throttle(self):
        interval = 1.0 / self.cfg["capture.requests_per_second"]
        now = time.monotonic()
        if self._next_slot > now:
            time.sleep(self._next_slot - now)
            now = self._next_slot
        self._next_slot = now + interval

    def _count_retry(self, *_):
        self.stats["retries"] += 1

    def request(self, method, path, query=None, body=None, skip_missing=False, form_data=None, version=None):
        """Send one API request with throttling and retries; return the decoded JSON body.

        `version` sends another Notion-Version than NOTION_API_VERSION, for an endpoint that needs a newer one."""
        last, attempt = "", 0
        while True:
            self._throttle()
            self.stats["requests"] += 1
            self.progress()
            retry_after = limit = None
            try:
                answer = self._client_for(version).request(path=path, method=method, query=query, body=body,
                                                           form_data=form_data)
                self.reach.answered(self.host)
                return answer
            except HTTPResponseError as err:
                self.reach.answered(self.host)
                status, code = err.status, str(getattr(err.code, "value", err.code))
                if status in (403, 404) and code in SKIP_CODES and skip_missing:
                    self.stats["skipped"] += 1
                    self.skipped.append({"path": path, "code": code})
                    log.warning("skipped %s %s: %s (not shared with the integration?)", method, path, code)
                    raise NotionSkipped(path, code)
                if status == 401:
                    raise AuthError(f"Notion public API refused the integration token on {method} /v1/{path} "
                                    f"(401 {code})", hint="check NOTION_API_KEY and that the integration still exists")
                body_text = redact(str(err))[:300]
                if status == 429 or (status == 400 and "rate" in str(code)):
                    self.stats["rate_limited"] += 1
                if status not in RETRY_STATUS:
                    raise NotionApiError(f"{method} /v1/{path} failed: HTTP {status} {code}: {body_text}",
                                         status, code)
                retry_after, last = response_retry_after(err.headers), f"HTTP {status} {code}"
            except (RequestTimeoutError, httpx.TransportError) as err:
                last = type(err).__name__
                kind = connect_failure_kind(err)
                if kind:  # nobody answers: a short budget, not the backoff meant for a busy API
                    down, left = self.reach.failed(self.host)
                    if left <= 0 or attempt >= self.max_retries:
                        raise ApiUnreachable(f"Notion public API host {self.host} is unreachable ({kind}) for "
                                             f"{down:.0f} s ({method} /v1/{path})",
                                             hint="check the network, DNS and NOTION_API_BASE_URL") from None
                    limit, last = left, f"{kind} at {self.host}"
            attempt += 1
            self.retry.wait(f"{method} /v1/{path}", attempt, last, retry_after, limit)

    def paginate(self, method, path, query=None, body=None, skip_missing=False):
        """Yield every result of a list endpoint, following cursors (short pages included)."""
        query, body = dict(query or {}), (dict(body or {}) if method == "POST" else None)
        cursor = None
        while True:
            target = body if method == "POST" else query
            target["page_size"] = 100
            if cursor:
                target["start_cursor"] = cursor
            page = self.request(method, path, query=query or None, body=body, skip_missing=skip_missing)
            yield from page.get("results", [])
            cursor = page.get("next_cursor")
            if not page.get("has_more") or not cursor:
                return

    def download(self, url, files_dir, name_hint=None):
        """Stream a hosted file into `files_dir/<sha256><ext>`; return {sha256, size, path, name}."""
        files_dir = Path(files_dir)
        files_dir.mkdir(parents=True, exist_ok=True)
        name = name_hint or unquote(PurePosixPath(urlsplit(url).path).name) or "file"
        ext = "".join(PurePosixPath(name).suffixes[-1:])[:12]
        for attempt in range(self.max_retries + 1):
            fd, tmp = tempfile.mkstemp(dir=files_dir, prefix=".download.", suffix=".tmp")
            digest, size = hashlib.sha256(), 0
            try:
                with os.fdopen(fd, "wb") as out, self.http.stream("GET", url) as response:
                    if response.status_code in (400, 403):
                        raise FileExpired(redact(url))
                    if response.status_code >= 500:
                        raise httpx.HTTPStatusError("server error", request=response.request, response=response)
                    response.raise_for_status()
                    for chunk in response.iter_bytes(1 << 20):
                        out.write(chunk)
                        digest.update(chunk)
                        size += len(chunk)
                sha = digest.hexdigest()
                final = files_dir / f"{sha}{ext}"
                if final.exists():
                    os.unlink(tmp)
                else:
                    os.replace(tmp, final)
                self.stats["files"] += 1
                self.stats["bytes"] += size
                return {"sha256": sha, "size": size, "path": f"files/{final.name}", "name": name}
            except (httpx.TransportError, httpx.HTTPStatusError) as err:
                if os.path.exists(tmp):
                    os.unlink(tmp)
                self.retry.wait(f"download of {redact(url)}", attempt + 1, redact(str(err)))
            except BaseException:
                if os.path.exists(tmp):
                    os.unlink(tmp)
                raise

    def progress(self, force=False, label="api"):
        """Log a progress line with counts and rate every `progress_seconds` (or now when forced)."""
        s, self._progress.what = self.stats, label
        self._progress.update(s["requests"], force=force, note=f"{s['retries']} retries, {s['rate_limited']} "
                              f"rate-limited, {s['skipped']} skipped, {s['files']} files ({s['bytes'] / 1e6:.1f} MB)")
