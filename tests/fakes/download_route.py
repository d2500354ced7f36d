"""The fake file host's download endpoint: cookie check, signed links, Range, and download faults."""
import os
import re
import socket
import time
from urllib.parse import parse_qs, urlsplit

from tests.fakes.notion_routes import ACCESS_DENIED

PATH = re.compile(r"^/f/t/(?P<file_id>[0-9a-f-]{36})/Export-(?P<uuid>[0-9a-f-]{36})\.zip$")
CHUNK = 1 << 20


def serve_download(handler, entry):
    """Answer GET /f/t/<fileId>/Export-<uuid>.zip on the file host or the redirect target."""
    fake, role = handler.server.fake, handler.server.role
    split = urlsplit(handler.path)
    query = {k: v[0] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
    match = PATH.match(split.path)
    if role == "file" and fake.faults["download_needs_cookie"] and entry["cookies"].get("file_token") != fake.file_token:
        return handler._send(403, ACCESS_DENIED, "text/html")
    try:
        expires = int(query.get("expirationTimestamp", ""))
    except ValueError:
        expires = None
    if not match or expires is None or query.get("signature") != fake.sign(match["file_id"], expires):
        return handler._send(400, "<html><body>Bad request: invalid signature</body></html>", "text/html")
    if expires < fake.now_ms():
        return handler._send(400, "<html><body>Bad request: this link has expired</body></html>", "text/html")
    export = fake.exports.get(match["file_id"])
    if export is None:
        return handler._send(404, "<html><body>Not found</body></html>", "text/html")
    if role == "file" and fake.faults["download_redirect"]:
        handler.send_response(302)
        handler.send_header("Location", fake.other_url + handler.path)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
        return
    if fake.take("download_html_200"):
        return handler._send(200, "<!DOCTYPE html><html><body>Loading Notion...</body></html>", "text/html")
    if fake.take("download_pdf"):
        return handler._send(200, "%PDF-1.4\n" + "x" * 2000 + "\n%%EOF\n", "application/pdf")
    send_range(handler, export["path"], fake)


def send_range(handler, path, fake):
    """Send a file as a ZIP download honouring `Range: bytes=N-`, with the fake's truncate/drop/rate faults."""
    size = os.path.getsize(path)
    start = 0
    rng = re.match(r"^bytes=(\d+)-$", handler.headers.get("Range", ""))
    if rng and int(rng[1]) < size:
        start = int(rng[1])
        handler.send_response(206)
        handler.send_header("Content-Range", f"bytes {start}-{size - 1}/{size}")
    elif rng:
        handler.send_response(416)
        handler.send_header("Content-Range", f"bytes */{size}")
        handler.send_header("Content-Length", "0")
        handler.end_headers()
        return
    else:
        handler.send_response(200)
    handler.send_header("Content-Type", "application/zip")
    handler.send_header("Content-Length", str(size - start))
    handler.send_header("Accept-Ranges", "bytes")
    handler.end_headers()
    limit = size - start
    if fake.take("download_truncate"):
        limit = limit // 2
    elif fake.take("download_drop"):
        limit = min(limit, fake.faults["drop_after"])
    _stream(handler, path, start, limit, fake.faults["download_rate"])
    if limit < size - start:
        # FIN, not RST: an RST would make the client's kernel discard bytes it has not read yet,
        # so how much arrived would depend on timing
        handler.close_connection = True
        handler.connection.shutdown(socket.SHUT_WR)


def _stream(handler, path, start, count, rate):
    """Send `count` bytes of `path` from `start`, at most `rate` bytes per second when set."""
    handler.wfile.flush()
    with open(path, "rb") as src:
        if rate is None:
            sent = 0
            while sent < count:
                n = handler.connection.sendfile(src, start + sent, count - sent)
                if not n:
                    break
                sent += n
            return
        src.seek(start)
        step = max(1, int(rate) // 20)
        while count > 0:
            data = src.read(min(step, count))
            if not data:
                break
            handler.wfile.write(data)
            handler.wfile.flush()
            count -= len(data)
            time.sleep(len(data) / rate)
