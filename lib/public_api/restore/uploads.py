"""File uploads during a restore: placeholders resolved only when their block is actually sent."""
import json
import mimetypes

from lib.public_api.client import NotionApiError

UPLOAD = "\x00upload:"


class Uploads:
    """Mixin of the Restorer: hosted files from the backup go back through Notion's file uploads."""

    def upload_token(self, stored):
        """Return a placeholder resolved into a file upload only when its block is sent."""
        return f"{UPLOAD}{json.dumps(stored, sort_keys=True)}"

    def writable(self, write, where):
        """Resolve a block's uploads; a file Notion refuses becomes a paragraph naming the backup copy."""
        try:
            return self.resolve_uploads(write)
        except NotionApiError as err:
            kind = write["type"]
            stored = json.loads(self.find_upload(write)[len(UPLOAD):])
            self.loss("media", where, f"{kind} '{stored.get('name')}' was refused by Notion ({err.code or err}); "
                      f"a note points at {stored['path']} in the backup")
            note = f"[{kind} not restored: {stored.get('name')} is in the backup as {stored['path']}]"
            return {"type": "paragraph", "paragraph": {"rich_text": [{"type": "text", "text": {"content": note}}]}}

    def find_upload(self, value):
        """Return the first upload placeholder inside a payload."""
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            return next((f for f in map(self.find_upload, value) if f), None)
        return value if isinstance(value, str) and value.startswith(UPLOAD) else None

    def resolve_uploads(self, value):
        """Replace upload placeholders in a write payload with uploaded file ids."""
        if isinstance(value, dict):
            return {k: self.resolve_uploads(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve_uploads(v) for v in value]
        if isinstance(value, str) and value.startswith(UPLOAD):
            stored = json.loads(value[len(UPLOAD):])
            name = stored.get("name") or stored["path"].rsplit("/", 1)[-1]
            ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
            created = self.api.request("POST", "file_uploads", body={"filename": name, "content_type": ctype})
            self.api.request("POST", f"file_uploads/{created['id']}/send",
                             form_data={"file": (name, self.source.read(stored["path"]), ctype)})
            self.count("uploads")
            return created["id"]
        return value
