"""Streaming, resumable download of an export ZIP (`.part` file, Range resume, status, magic and length checks).

Shared by every export path: the cookie export and its browser fallback (lib/notion) and the Admin API export
(lib/public_api). The caller brings the HTTP client and says what a refusal of its file host means:
- `client.get(url, headers)` returns a streamed `requests` response and never follows redirects itself;
- `client.wait(what, attempt, reason)` sleeps before retry `attempt`, or raises once the retries are spent;
- `client.retry_after_failure(what, host, attempt, exc)` does the same after a connection-level failure,
  giving a host nobody can connect to only the connect budget (both: the one policy in lib/http/retry.py);
- `refusal(response)` turns a non-2xx answer into the error to raise, or None when a retry may help.
"""
import logging
import os
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests

from lib.core.log import Progress
from lib.core.errors import ExportError
from lib.core.redact import redact
from lib.http.answers import WINDOW, excerpt
from lib.http.retry import TRANSIENT

log = logging.getLogger(__name__)
CHUNK = 1 << 20
READ_SIZE = 256 << 10  # small reads keep .part close to what arrived, for resume after a kill
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


class LinkExpired(ExportError):
    """The signed link no longer works (the file host refused its signature or expiry)."""


def host_of(url):
    """Return the host[:port] of a URL, lower case (for log lines and facts; never the query)."""
    return urlsplit(url).netloc.lower()


def _open(client, url, offset):
    """GET the link, following up to 5 redirects by hand (the client decides which headers each host gets)."""
    for _ in range(6):
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        response = client.get(url, headers=headers)
        if response.status_code in (301, 302, 303, 307, 308) and response.headers.get("Location"):
            url = urljoin(url, response.headers["Location"])
            response.close()
            log.info("download: redirected to %s", host_of(url))
            continue
        return response, url
    raise ExportError("download: more than 5 redirects", hint="the export link is broken; re-run to get a new one")


def describe_body(response, body=None):
    """A short, secret-free description of an answer: status, content type, start of the body.

    `body` is the body when the caller has read it already; else only its first few kilobytes are read.
    """
    kind = response.headers.get("Content-Type", "?").split(";")[0]
    start = next(response.iter_content(WINDOW), b"") if body is None else body
    return redact(f"HTTP {response.status_code} {kind} body: {excerpt(start)!r}")


def partial_of(dest):
    """The file a download of `dest` grows in until it is checked and renamed."""
    return dest.with_name(dest.name + ".part")


def download(client, url, dest, refusal):
    """Stream `url` to `dest` via `dest.part` (resuming it with Range), check it, and return facts."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = partial_of(dest)
    started, attempt, resumed_from, host = time.monotonic(), 0, None, host_of(url)
    while True:
        offset = _size(part)
        if resumed_from is None:
            resumed_from = offset
            progress = Progress(log, "download", start=offset)
        try:
            response, final_url = _open(client, url, offset)
        except TRANSIENT as exc:  # a file host nobody can connect to gets the short connect budget
            attempt += 1
            client.retry_after_failure("download", host, attempt, exc)
            continue
        except requests.RequestException as exc:  # its text holds the signed URL: redact it
            raise ExportError(f"download: {type(exc).__name__}: {redact(str(exc))}",
                              hint="the export link looks malformed; re-run the export stage") from None
        host = host_of(final_url)
        status = response.status_code
        if status == 416 and offset:
            response.close()
            if response.headers.get("Content-Range", "") == f"bytes */{offset}":
                total = offset  # the earlier run had received everything but had not renamed the file
                break
            part.unlink()
            attempt += 1
            client.wait("download", attempt, "the file host refused the Range request (416); starting over")
            continue
        if status == 206 and not response.headers.get("Content-Range", "").startswith(f"bytes {offset}-"):
            response.close()
            part.unlink()
            attempt += 1
            client.wait("download", attempt, "the file host answered a different byte range; starting over")
            continue
        if status not in (200, 206):
            error = refusal(response)
            response.close()
            if error is not None:
                raise error
            attempt += 1
            client.wait("download", attempt, f"file host answered {status}")
            continue
        if offset and status == 200:
            log.info("download: the file host ignored the Range request; starting over from byte 0")
            offset = 0
        length = response.headers.get("Content-Length")
        total = offset + int(length) if length and length.isdigit() else None
        if offset:
            log.info("download: resuming at byte %d with a Range request", offset)
        try:
            complete = _stream(response, part, offset, total, progress)
        except _NotZip as exc:
            attempt += 1
            client.wait("download", attempt, str(exc))
            continue
        except TRANSIENT as exc:
            complete = False
            log.warning("download: connection lost (%s) at %d bytes", type(exc).__name__, _size(part))
        finally:
            response.close()
        if complete:
            break
        attempt += 1
        client.wait("download", attempt, f"body ended at {_size(part)} of {total} bytes; resuming")
    size = verify_zip(part, total)
    os.replace(part, dest)
    seconds = time.monotonic() - started
    log.info("download: complete, %d bytes in %.1f s (%.1f MB/s) from %s", size, seconds,
             size / 1e6 / max(seconds, 1e-6), host)
    return {"bytes": size, "seconds": round(seconds, 3), "resumed_from": resumed_from, "host": host}


class _NotZip(ExportError):
    """The body does not start like a ZIP (an HTML page or another file type)."""


def _stream(response, part, offset, total, progress):
    """Append the body to `part` from `offset`; True when the advertised length arrived."""
    chunks = response.iter_content(READ_SIZE)
    if offset == 0:
        first = next(chunks, b"")
        while len(first) < 4:
            more = next(chunks, None)
            if more is None:
                break
            first += more
        if first[:4] not in ZIP_MAGIC:
            kind = response.headers.get("Content-Type", "?").split(";")[0]
            raise _NotZip(redact(f"body is not a ZIP (status {response.status_code}, {kind}, starts "
                                 f"{' '.join(first[:60].decode('utf-8', 'replace').split())!r})"))
        chunks = _prepend(first, chunks)
    done = offset
    with open(part, "r+b" if offset else "wb") as out:
        out.seek(offset)
        out.truncate()
        for chunk in chunks:
            out.write(chunk)
            done += len(chunk)
            progress.update(done, total)
        out.flush()
        os.fsync(out.fileno())
    return total is None or done >= total


def _size(path):
    return path.stat().st_size if path.exists() else 0


def _prepend(first, rest):
    yield first
    yield from rest


def verify_zip(part, total):
    """Check length, PK magic and the end-of-central-directory record of the finished file."""
    size = part.stat().st_size
    if total is not None and size != total:
        raise ExportError(f"download: got {size} bytes, Content-Length promised {total}",
                          hint="re-run the export stage")
    with open(part, "rb") as handle:
        head = handle.read(4)
        handle.seek(max(0, size - 65557))
        tail = handle.read()
    if head not in ZIP_MAGIC or b"PK\x05\x06" not in tail:
        part.unlink()
        raise ExportError(f"download: the {size}-byte file is not a complete ZIP (no central directory)",
                          hint="re-run the export stage")
    return size
