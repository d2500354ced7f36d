"""export: ask Notion for the workspace export and download the ZIP into the run's staging folder."""
import logging

from doit.tools import config_changed, run_once

from lib.archive import zip_tree_as_export
from lib.errors import ExportError
from lib.fsutil import remove_tree, write_json_atomic
from lib.notion import attempt_facts, export_via_browser, run_export
from lib.public_api import capture_workspace
from lib.redact import redact
from tasks import stage_action

log = logging.getLogger("export")


def export(cfg, layout):
    """Run (or resume) the export for this run id and record how it went."""
    layout.run_dir.mkdir(parents=True, exist_ok=True)
    if cfg["export.source"] == "public_api":
        return export_from_public_api(cfg, layout)
    try:
        summary = run_export(cfg, layout)
    except ExportError as api_error:  # AuthError/ConfigError are not ExportErrors: a browser would fail the same way
        if not cfg["export.ui_fallback"] or cfg["export.mode"] != "workspace":
            raise
        summary = _browser_fallback(cfg, layout, api_error)
    summary["run_id"] = layout.run_id
    write_json_atomic(layout.workspace_export, summary)
    return summary


def export_from_public_api(cfg, layout):
    """The manual fallback: capture through the public API and package its Markdown like Notion's ZIP."""
    markdown = layout.api_markdown
    remove_tree(markdown)
    summary = capture_workspace(cfg, layout.json, markdown_dir=markdown)
    zip_tree_as_export(markdown, layout.export_zip)
    remove_tree(markdown)
    manifest = {"run_id": layout.run_id, "mode": "workspace", "strategy": "public_api", "capture": summary}
    write_json_atomic(layout.workspace_export, manifest)
    write_json_atomic(layout.api_capture, dict(summary, run_id=layout.run_id))
    log.warning("export: built from the public API (lower fidelity than Notion's own export)")
    return manifest


def _browser_fallback(cfg, layout, api_error):
    """Hand a failed API export over to the browser flow; the manifest keeps the API failure that caused it."""
    failure = {"error_class": type(api_error).__name__, "message": redact(str(api_error))}
    log.warning("export: the API export failed (%s); handing over to the browser fallback (budget %d s)",
                failure["message"], cfg["export.ui_timeout_seconds"])
    try:
        summary = export_via_browser(cfg, layout)
    except ExportError as browser_error:
        raise ExportError(f"{browser_error.args[0]}; it was the fallback after the API export failed: "
                          f"{redact(api_error.args[0])}", hint=browser_error.hint) from None
    summary["api_failure"] = failure
    return summary


def tasks(cfg, layout):
    """Up to date once this run id's ZIP is complete; a new run id starts a new export."""
    return {
        "actions": [stage_action(layout, "export", lambda: export(cfg, layout),
                                 failure_facts=lambda: attempt_facts(layout))],
        "targets": [layout.export_zip],
        "uptodate": [run_once, config_changed({"run": layout.run_id, "mode": cfg["export.mode"],
                                               "source": cfg["export.source"]})],
        "verbosity": 2,
    }
