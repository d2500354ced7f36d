"""Request handling of FakeNotion: /api/v3 routes, the notification feed and the file download."""
import json
import re
import socket
import struct
import threading
import time
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlsplit

DASHED = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
CLOUDFLARE = ("<!DOCTYPE html><html><head><title>{code}: Bad gateway</title></head><body>"
              "<h1>Error {code}</h1><p>Bad gateway</p><p>cloudflare</p>" + "<!-- padding -->" * 40 + "</body></html>")
BOT_PAGE = "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Checking your browser</body></html>"
ACCESS_DENIED = ("<!DOCTYPE html><html><head><title>Access denied</title></head><body><h1>Access denied!</h1>"
                 "<p>Please ask the owner of this content to share it with you.</p>" + " " * 4800 + "</body></html>")


def _envelope(name, message, **extra):
    return {"errorId": "00000000-0000-4000-8000-000000000000", "name": name, "message": message, **extra}


class Handler(BaseHTTPRequestHandler):
    """One request on one of the fake hosts (self.server.role tells which)."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # header and body go out as two writes; avoid the 40 ms delayed-ACK stall

    def log_message(self, *args):
        pass

    # -- plumbing -----------------------------------------------------------------------------
    def _record(self, body):
        cookies = {k: v.value for k, v in SimpleCookie(self.headers.get("Cookie", "")).items()}
        split = urlsplit(self.path)
        entry = {"host": self.server.role, "method": self.command, "path": split.path, "query": split.query,
                 "headers": dict(self.headers.items()), "cookies": cookies, "json": body, "time": time.time()}
        with self.server.fake.lock:
            self.server.fake.requests.append(entry)
        return entry

    def _send(self, code, body, ctype="application/json", headers=()):
        data = json.dumps(body).encode() if ctype == "application/json" else body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _reset(self):
        # SO_LINGER 0 makes close() send RST: the client sees "connection reset by peer".
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def do_GET(self):
        entry = self._record(None)
        if self.server.role in ("file", "other") and urlsplit(self.path).path.startswith("/f/t/"):
            from tests.fakes.download_route import serve_download
            return serve_download(self, entry)
        if self.server.role == "api" and not self.path.startswith("/api/"):
            from tests.fakes.notion_ui_pages import serve_ui
            return serve_ui(self, entry)
        self._send(404, "<html>Not found</html>", "text/html")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = None
        entry = self._record(body)
        endpoint = urlsplit(self.path).path.rsplit("/", 1)[-1]
        if self.server.role not in ("api", "app") or not self.path.startswith("/api/v3/"):
            return self._send(404, "<html>Not found</html>", "text/html")
        fake = self.server.fake
        if fake.take("reset", endpoint):
            return self._reset()
        if fake.take("slow", endpoint):
            time.sleep(fake.faults["slow_seconds"])
        if fake.take("rate_limit", endpoint):
            after = fake.faults["retry_after"]
            return self._send(429, _envelope("RateLimitedError", "Too many requests."),
                              headers=[("Retry-After", str(after))] if after is not None else [])
        if fake.take("gateway_error", endpoint):
            return self._send(502, CLOUDFLARE.format(code=502), "text/html", [("Server", "cloudflare")])
        if fake.take("bot_page", endpoint):
            return self._send(200, BOT_PAGE, "text/html")
        token = entry["cookies"].get("token_v2")
        if token and token != fake.token_v2 and "%3A" not in token and ":" not in token:
            return self._send(400, _envelope("DecryptionError", "Something went wrong. (400)",
                                             debugMessage="Could not decrypt due to missing decryption metadata!"))
        if token != fake.token_v2 or fake.count_api_call():
            return self._send(401, _envelope("UnauthorizedError", "Token was invalid or expired.",
                                             clientData={"type": "login_try_again"}))
        if body is None:
            return self._send(400, _envelope("ValidationError", "Invalid input."))
        route = getattr(self, "api_" + endpoint, None)
        if route is None:
            return self._send(404, _envelope("NotFound", f"no route {endpoint}"))
        code, answer = route(body)
        headers = []
        if endpoint in ("getTasks", "getNotificationLogV2") and fake.faults["set_file_token"]:
            headers.append(("Set-Cookie", f"file_token={fake.file_token}; Path=/f; Secure; HttpOnly"))
        self._send(code, answer, headers=headers)

    # -- /api/v3 routes -----------------------------------------------------------------------
    def api_enqueueTask(self, body):
        fake = self.server.fake
        task = body.get("task") or {}
        request = task.get("request") or {}
        event = task.get("eventName")
        if event not in ("exportSpace", "exportBlock", "partitionedExportBlock"):
            return 400, _envelope("ValidationError", "Invalid input.")
        if "blockId" in request:
            return 400, _envelope("ValidationError", "Invalid input.")
        error, root_id = None, None
        options = request.get("exportOptions") or {}
        space = request.get("spaceId") if event == "exportSpace" else (request.get("block") or {}).get("spaceId")
        if event != "exportSpace":
            block = request.get("block") or {}
            if not block.get("id"):
                return 400, _envelope("ValidationError", "Invalid input.")
            root_id = block["id"]
            if not any(n.id == root_id.replace("-", "") for n in fake.workspace.live_nodes()):
                error = "User cannot access block, or it does not exist."
        if options.get("exportType") not in ("markdown", "html") or "shouldExportComments" not in request:
            error = "Invalid input."
        elif not isinstance(space, str) or not DASHED.match(space) or space != fake.workspace.space_id:
            error = "User cannot access space, or it does not exist."
        with fake.lock:
            number = sum(1 for t in fake.tasks.values() if "parent" not in t) + 1
            task_id = fake.new_id()
            f = fake.faults
            terminal = ("failure" if error or number <= f["task_failure"] else
                        "retryable_failure" if number <= f["task_failure"] + f["task_retryable_failure"] else
                        "stuck" if f["stuck"] or options.get("collectionViewExportType") == "allViews" else "success")
            record = {"id": task_id, "eventName": event, "request": request, "polls": 0, "terminal": terminal,
                      "error": error or f["failure_error"], "root_id": root_id, "export": None,
                      "pages": len(fake.workspace.live_nodes()), "number": number, "status": None, "state": None}
            fake.tasks[task_id] = record
        if terminal == "success":
            threading.Thread(target=fake.build_export, args=(record,), daemon=True).start()
        return 200, {"taskId": task_id}

    def api_getTasks(self, body):
        fake = self.server.fake
        results = []
        for task_id in body.get("taskIds") or []:
            with fake.lock:
                task = fake.tasks.get(task_id)
                if task is None:
                    continue
                if "parent" not in task:
                    self._advance(task)
                results.append(self._task_view(task))
        return 200, {"results": results}

    def _advance(self, task):
        fake, polls = self.server.fake, task["polls"]
        task["polls"] += 1
        if task["state"] in ("success", "failure", "retryable_failure"):
            return
        running = fake.faults["export_polls"]
        if polls == 0:
            return  # first look: no state, no status yet
        if polls == 1:
            task["state"] = "not_started"
            return
        task["state"] = "in_progress"
        done = min(polls - 1, running)
        if task["terminal"] == "stuck":
            done = min(done, 1)
        task["status"] = {"type": "progress", "pagesExported": task["pages"] * done // (running + 1)}
        if polls - 1 <= running or task["terminal"] == "stuck":
            return
        if task["terminal"] == "success":
            if task["export"] is None:
                return  # still building the ZIP: stays in_progress
            task["state"] = "success"
            fake.complete(task)
        else:
            task["state"] = task["terminal"]
            task["status"] = {"type": "progress", "pagesExported": task["pages"] // 3}

    def _task_view(self, task):
        fake = self.server.fake
        view = {"id": task["id"], "eventName": task["eventName"], "request": task["request"],
                "actor": {"table": "notion_user", "id": fake.user_id},
                "rootRequest": {"eventName": task["eventName"], "requestId": task.get("parent", task["id"])},
                "headers": {"ip": "127.0.0.1"}, "equeuedAt": fake.now_ms()}
        if task["state"]:
            view["state"] = task["state"]
        if task["status"]:
            view["status"] = dict(task["status"])
        if task["state"] in ("failure", "retryable_failure"):
            view["error"] = task["error"]
        return view

    def api_getUserTasks(self, body):
        fake = self.server.fake
        with fake.lock:
            return 200, {"taskIds": list(fake.tasks)}

    def api_getNotificationLogV2(self, body):
        fake = self.server.fake
        missing = [k for k in ("spaceId", "size", "type", "variant") if k not in body]
        if missing:
            return 400, _envelope("ValidationError", f"Invalid input: missing {missing}.")
        empty = {"notificationIds": [], "recordMap": {}}
        if body["spaceId"] != fake.workspace.space_id or (self.server.role == "api" and fake.faults["empty_feed_on_api"]):
            return 200, empty
        wrap = (lambda rec: {"value": {"value": rec, "role": "reader"}}) if fake.faults["wrap"] == "double" \
            else (lambda rec: {"value": rec, "role": "reader"})
        ids, notifications, activities = [], {}, {}
        with fake.lock:
            for act in sorted(fake.activities, key=lambda a: -a["start_time"]):
                delay = fake.faults["notification_delay"] if act["task"] else 0
                act["seen"] += 1
                if act["seen"] <= delay:
                    continue
                link_hidden = act["task"] and act["seen"] <= delay + fake.faults["link_delay"]
                start = str(act["start_time"]) if fake.faults["start_time_type"] == "str" else act["start_time"]
                record = {"id": act["id"], "type": act["type"], "space_id": act["space_id"], "start_time": start,
                          "end_time": str(act["end_time"]), "edits": []}
                if act["type"] == "export-completed":
                    record["edits"] = [{} if link_hidden else {"link": act["link"]}]
                activities[act["id"]] = wrap(record)
                note = next(n for n in fake.notifications if n["id"] == act["notification_id"])
                notifications[note["id"]] = wrap(dict(note))
                ids.append(note["id"])
        size = int(body.get("size") or 20)
        ids = ids[:size]
        return 200, {"notificationIds": ids, "recordMap": {
            "notification": {i: notifications[i] for i in ids},
            "activity": {k: v for k, v in activities.items()
                         if any(notifications[i]["value"].get("value", notifications[i]["value"]).get("activity_id") == k for i in ids)},
            "notion_user": {}, "block": {}}}

    def api_saveTransactionsMain(self, body):
        fake = self.server.fake
        with fake.lock:
            fake.transactions.append(body)
            for tx in body.get("transactions") or []:
                for op in tx.get("operations") or []:
                    pointer = op.get("pointer") or {}
                    for note in fake.notifications:
                        if pointer.get("table") == "notification" and note["id"] == pointer.get("id"):
                            note.update({k: v for k, v in (op.get("args") or {}).items() if k in note})
        return 200, {}

    def api_getSpaces(self, body):
        fake = self.server.fake
        return 200, {fake.user_id: {"space": {fake.workspace.space_id: {"value": {
            "id": fake.workspace.space_id, "name": fake.workspace.name}}}}}
