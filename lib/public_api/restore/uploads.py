"""File uploads during a restore: placeholders resolved only when their block is actually sent."""
import json
import mimetypes

from lib.public_api.client import NotionApiError

UPLOAD = "\x00upload:"


def first_placeholder(value):
    """Return the first upload placeholder inside a write payload, or None."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return next((f for f in map(first_placeholder, value) if f), None)
    return value if isinstance(value, str) and value.startswith(UPLOAD) else None


class Uploader:
    """Sends hosted files of the backup back through Notion's file uploads."""

    def __init__(self, api, source, report):
        self.api, self.source, self.report = api, source, report

    def placeholder(self, stored):
        """Return a placeholder for a backed-up file; it becomes an upload only when its block is sent."""
        return f"{UPLOAD}{json.dumps(stored, sort_keys=True)}"

    def resolve(self, value):
        """Replace upload placeholders in a write payload with uploaded file ids."""
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if isinstance(value, str) and value.startswith(UPLOAD):
            stored = json.loads(value[len(UPLOAD):])
            name = stored.get("name") or stored["path"].rsplit("/", 1)[-1]
            ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
            created = self.api.request("POST", "file_uploads", body={"filename": name, "content_type": ctype})
            self.api.request("POST", f"file_uploads/{created['id']}/send",
                             form_data={"file": (name, self.source.read(stored["path"]), ctype)})
            self.report.count("uploads")
            return created["id"]
        return value

    def writable(self, write, where):
        """Resolve a block's uploads; a file Notion refuses becomes a paragraph naming the backup copy."""
        try:
            return self.resolve(write)
        except NotionApiError as err:
            kind = write["type"]
            stored = json.loads(first_placeholder(write)[len(UPLOAD):])
            self.report.loss("media", where, f"{kind} '{stored.get('name')}' was refused by Notion "
                             f"({err.code or err}); a note points at {stored['path']} in the backup")
            note = f"[{kind} not restored: {stored.get('name')} is in the backup as {stored['path']}]"
            return {"type": "paragraph", "paragraph": {"rich_text": [{"type": "text", "text": {"content": note}}]}}
