"""Notion's web app: the cookie-authenticated internal API export and its browser fallback."""
from lib.notion.export import attempt_facts, run_export
from lib.notion.ui import export_via_browser

__all__ = ["attempt_facts", "run_export", "export_via_browser"]
