"""Notion's public API: the client, the JSON capture with its Markdown, and (in restore/) the restore."""
from lib.public_api.capture import capture_workspace

__all__ = ["capture_workspace"]
