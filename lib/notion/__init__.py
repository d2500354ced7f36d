"""Notion's web app: the cookie-authenticated internal API export and its browser fallback."""
from lib.notion.export import ExportSettings, run_export
from lib.notion.ids import parse_space_id, resolve_root_ids
from lib.notion.ui import export_via_browser

__all__ = ["ExportSettings", "run_export", "parse_space_id", "resolve_root_ids", "export_via_browser"]
