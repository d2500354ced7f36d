"""A local HTTP receiver for alerts: records every POST body (apprise's json:// target)."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class AlertReceiver:
    """Context manager: `receiver.url` for BACKUP_NOTIFY_URLS, `receiver.messages` what arrived."""

    def __init__(self):
        self.messages = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    receiver.messages.append(json.loads(body))
                except ValueError:
                    receiver.messages.append({"raw": body.decode("utf-8", "replace")})
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    @property
    def url(self):
        return f"json://127.0.0.1:{self.server.server_address[1]}/alerts"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
