"""Notion's official APIs: the public API client, capture and Markdown; the Admin API export; restore/ below."""
from lib.public_api.admin_export import admin_attempt_facts, run_admin_export
from lib.public_api.capture import capture_workspace

__all__ = ["admin_attempt_facts", "capture_workspace", "run_admin_export"]
