"""The stand-in's web app pages: login redirect, workspace page, Settings -> Export dialog, export download.

Served on the api host (www.notion.so) for every GET path outside /api/. Faults (FakeNotion kwargs):
| key | default | effect |
|---|---|---|
| ui_email_export | False | the Export click answers "we'll e-mail you"; an export-completed notification follows |
| ui_no_permission | False | the settings panel says "You don't have permission to export" and has no export button |
| ui_logged_out | False | the web app treats the session cookie as signed out (the API still accepts it) |

Every page echoes the received token_v2 cookie in a bootstrap script, like a web app reflecting its session,
so tests can check that saved page HTML is redacted. `fake.ui_exports` records each Export click's options.
"""
import html
import json
import os
import threading
from urllib.parse import parse_qs, urlsplit

EMAIL_FEED_POLLS = 2  # feed requests after the ZIP is built before the notification shows

_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>
<script>window.__bootstrap = {boot};</script></head><body>{body}</body></html>"""

_LOGIN = """<main><h1>Log in</h1><p>Continue with your work e-mail</p>
<form><label>Email<input type="email" name="email"></label><button type="button">Continue with email</button></form></main>"""

_WORKSPACE = """<nav class="sidebar"><div class="workspace-name">{name}</div>
<div role="button" tabindex="0" id="settings-entry" onclick="document.getElementById('settings').hidden=false">Settings</div>
</nav><main><h1>Getting started</h1></main>
<section id="settings" role="dialog" aria-label="Settings" hidden>
<h2>Workspace settings</h2>{export_part}</section>
<section id="export-dialog" role="dialog" aria-label="Export" hidden>
<form action="/ui/export" method="get">
<label>Export format <select name="exportType" aria-label="Export format">
<option value="pdf">PDF</option><option value="html">HTML</option><option value="markdown">Markdown &amp; CSV</option>
</select></label>
<label>Include content <select name="includeContent" aria-label="Include content">
<option value="no_files">No files or images</option><option value="everything">Everything</option>
</select></label>
<label><input type="checkbox" name="subpageFolders" value="1" aria-label="Create folders for subpages">
Create folders for subpages</label>
<button type="submit">Export</button></form></section>"""

_EXPORT_ALLOWED = """<div role="button" tabindex="0" id="export-all"
onclick="document.getElementById('export-dialog').hidden=false">Export all workspace content</div>"""
_EXPORT_DENIED = "<p class=\"notice\">You don't have permission to export content from this workspace.</p>"

_EMAIL = """<main><h1>Export started</h1><p>We're preparing your export. This workspace is large,
so we'll email you a link to download it when it's ready.</p></main>"""


def _page(handler, code, title, body, headers=()):
    token = handler.headers.get("Cookie", "")
    boot = json.dumps({"session": token, "path": handler.path}).replace("</", "<\\/")
    handler._send(code, _PAGE.format(title=html.escape(title), boot=boot, body=body), "text/html; charset=utf-8",
                  headers)


def _signed_in(fake, entry):
    return entry["cookies"].get("token_v2") == fake.token_v2 and not fake.faults.get("ui_logged_out")


def serve_ui(handler, entry):
    """Answer a GET for a web app page on the api host."""
    fake = handler.server.fake
    path = urlsplit(handler.path).path
    if path == "/login":
        return _page(handler, 200, "Notion - Log in", _LOGIN)
    if not _signed_in(fake, entry):
        return _redirect(handler, "/login")
    if path == "/ui/export":
        return _export(handler, fake, {k: v[0] for k, v in parse_qs(urlsplit(handler.path).query).items()})
    if path in ("/", "/settings"):
        part = _EXPORT_DENIED if fake.faults.get("ui_no_permission") else _EXPORT_ALLOWED
        return _page(handler, 200, "Notion", _WORKSPACE.format(name=html.escape(fake.workspace.name),
                                                              export_part=part))
    return _page(handler, 404, "Notion - page not found", "<main><h1>This page does not exist</h1></main>")


def _redirect(handler, location):
    handler.send_response(302)
    handler.send_header("Location", location)
    handler.send_header("Content-Length", "0")
    handler.end_headers()


def _export(handler, fake, options):
    """The Export click: a ZIP attachment, or the "we'll e-mail you" page for a large workspace."""
    if fake.faults.get("ui_no_permission"):
        return _page(handler, 403, "Notion", _EXPORT_DENIED)
    with fake.lock:
        if not hasattr(fake, "ui_exports"):
            fake.ui_exports = []
        fake.ui_exports.append(options)
        task = {"id": fake.new_id(), "root_id": None, "export": None}
    if fake.faults.get("ui_email_export"):
        threading.Thread(target=_email_later, args=(fake, task), daemon=True).start()
        return _page(handler, 200, "Notion - Export", _EMAIL)
    fake.build_export(task)
    path = fake.exports[task["export"][0]]["path"]
    size = os.path.getsize(path)
    handler.send_response(200)
    handler.send_header("Content-Type", "application/zip")
    handler.send_header("Content-Length", str(size))
    handler.send_header("Content-Disposition", f'attachment; filename="Export-{task["export"][1]}.zip"')
    handler.end_headers()
    with open(path, "rb") as src:
        handler.wfile.flush()
        handler.connection.sendfile(src)


def _email_later(fake, task):
    """Build the export, then publish its link as an export-completed notification a few feed polls later."""
    fake.build_export(task)
    file_id, export_uuid = task["export"]
    with fake.lock:
        act = fake._add_activity("export-completed", fake.link_for(file_id, export_uuid), fake.now_ms(), task["id"])
        act["seen"] = -EMAIL_FEED_POLLS - fake.faults["notification_delay"]
