"""export: get the workspace export into the run's staging folder: Admin API, else cookie export, else browser."""
import logging

from doit.tools import run_once

from lib.archive import zip_tree_as_export
from lib.core.errors import ExportError
from lib.core.fsutil import remove_tree, write_json_atomic
from lib.notion import attempt_facts, export_via_browser, run_export
from lib.public_api import admin_attempt_facts, capture_workspace, run_admin_export
from lib.core.redact import redact
from tasks import setting_changed, stage_action

log = logging.getLogger("export")
# What workspace_export.json and run_summary.json call each way of getting the export, in the order tried.
ADMIN, COOKIE, BROWSER = "admin_api", "api", "browser"
# The settings that change what the export holds (which pages, their dates, their comments).
EXPORT_SHAPES = ("export.mode", "export.root_page_ids", "export.time_zone", "export.include_comments")


def export(cfg, layout):
    """Run (or resume) the export for this run id, falling over as far as the credentials allow; record it."""
    layout.run_dir.mkdir(parents=True, exist_ok=True)
    source = cfg.export_source
    if source == "public_api":
        return export_from_public_api(cfg, layout)
    fallbacks = []
    summary = None
    if source == "admin_api":
        try:
            summary = run_admin_export(cfg, layout)
        except ExportError as error:
            if not cfg.secret("NATIVE_EXPORT_TOKEN_V2"):
                raise  # no cookie to fall back on: the Admin API's own error is the run's
            fallbacks.append(_failure(ADMIN, error))
            log.warning("export: the Admin API export failed (%s); falling back to the cookie export",
                        fallbacks[-1]["message"])
    if summary is None:
        summary = _cookie_export(cfg, layout, fallbacks)
    summary.update(run_id=layout.run_id, fallbacks=fallbacks)
    write_json_atomic(layout.workspace_export, summary)
    return summary


def _failure(strategy, error):
    """What workspace_export.json keeps of a strategy that failed (no secrets)."""
    return {"strategy": strategy, "error_class": type(error).__name__, "message": redact(str(error))}


def _cookie_export(cfg, layout, fallbacks):
    """The cookie export through Notion's internal API, handing a failure over to the browser when allowed."""
    try:
        return run_export(cfg, layout)
    except ExportError as api_error:  # AuthError/ConfigError are not ExportErrors: a browser would fail the same way
        if not cfg["export.ui_fallback"] or cfg["export.mode"] != "workspace":
            raise _after(api_error, fallbacks) from None
        fallbacks.append(_failure(COOKIE, api_error))
    log.warning("export: the API export failed (%s); handing over to the browser fallback (budget %d s)",
                fallbacks[-1]["message"], cfg["export.ui_timeout_seconds"])
    try:
        return export_via_browser(cfg, layout)
    except ExportError as browser_error:
        raise _after(browser_error, fallbacks) from None


def _after(error, fallbacks):
    """The last strategy's error, naming the failures that led to it (so the run's message tells the whole story)."""
    if not fallbacks:
        return error
    before = "; ".join(f"{f['strategy']}: {f['message']}" for f in fallbacks)
    return type(error)(f"{error.args[0]}; it was the fallback after: {before}", hint=error.hint)


def export_from_public_api(cfg, layout):
    """The manual fallback: capture through the public API and package its Markdown like Notion's ZIP."""
    markdown = layout.api_markdown
    remove_tree(markdown)
    summary = capture_workspace(cfg, layout.json, markdown_dir=markdown)
    zip_tree_as_export(markdown, layout.export_zip)
    remove_tree(markdown)
    manifest = {"run_id": layout.run_id, "mode": "workspace", "strategy": "public_api", "capture": summary,
                "fallbacks": []}
    write_json_atomic(layout.workspace_export, manifest)
    write_json_atomic(layout.api_capture, dict(summary, run_id=layout.run_id))
    log.warning("export: built from the public API (lower fidelity than Notion's own export)")
    return manifest


def failure_facts(layout):
    """How hard the export tried across strategies, for failures.json."""
    facts = [admin_attempt_facts(layout), attempt_facts(layout)]
    return {"attempts": sum(f["attempts"] for f in facts), "http_retries": sum(f["http_retries"] for f in facts),
            "task_ids": [task for f in facts for task in f["task_ids"]]}


def tasks(cfg, layout):
    """Up to date once this run id's ZIP is complete; a new run id starts a new export, and so does a setting that
    changes what Notion exports. Nothing else does (timings, retries, an upgrade of this tool): a new Notion export
    for the same run id costs an hour of Notion's time and gives the same content."""
    return {
        "actions": [stage_action(layout, "export", lambda: export(cfg, layout),
                                 failure_facts=lambda: failure_facts(layout))],
        "targets": [layout.export_zip],
        "uptodate": [run_once, setting_changed({"run": layout.run_id, "source": cfg.export_source, "settings": {
            key: cfg[key] for key in EXPORT_SHAPES}}, "export")],
        "verbosity": 2,
    }
