"""export: ask Notion for the workspace export and download the ZIP into the run's staging folder."""
import logging

from doit.tools import config_changed, run_once

from lib.archive import zip_tree_as_export
from lib.errors import ExportError
from lib.fsutil import remove_tree, write_json_atomic
from lib.notion import ExportSettings, export_via_browser, parse_space_id, resolve_root_ids, run_export
from lib.public_api import capture_workspace
from lib.redact import redact
from tasks import stage_action

log = logging.getLogger("export")


def export_settings(cfg, layout):
    """Build the export client's settings from the config."""
    # The config value already holds the environment's override (OFFICIAL_EXPORT_ROOT_PAGE_IDS).
    roots = resolve_root_ids("", cfg["export.root_page_ids"], layout.manifests / "roots.json") \
        if cfg["export.mode"] == "roots" else []
    space = cfg.secret("NOTION_SPACE_ID")
    return ExportSettings(
        token_v2=cfg.secret("NATIVE_EXPORT_TOKEN_V2"),
        file_token=cfg.secret("NATIVE_EXPORT_FILE_TOKEN"),
        space_id=parse_space_id(space) if space else "",
        mode=cfg["export.mode"],
        root_ids=roots,
        base_url=cfg["notion.base_url"],
        notification_base_urls=cfg["notion.notification_base_urls"],
        file_hosts=cfg["notion.file_hosts"],
        time_zone=cfg["export.time_zone"],
        export_comments=cfg["export.include_comments"],
        retryable_failure_retries=cfg["export.retryable_failure_retries"],
        poll_timeout_seconds=cfg["export.poll_timeout_seconds"],
        poll_interval_seconds=cfg["export.poll_interval_seconds"],
        notification_interval_seconds=cfg["export.notification_interval_seconds"],
        http_timeout_seconds=cfg["export.http_timeout_seconds"],
        mark_notification_read=cfg["export.mark_notification_read"],
    )


def export(cfg, layout):
    """Run (or resume) the export for this run id and record how it went."""
    layout.run_dir.mkdir(parents=True, exist_ok=True)
    if cfg["export.source"] == "public_api":
        return export_from_public_api(cfg, layout)
    settings = export_settings(cfg, layout)
    try:
        summary = run_export(settings, layout.run_dir)
    except ExportError as api_error:  # AuthError/ConfigError are not ExportErrors: a browser would fail the same way
        if not cfg["export.ui_fallback"] or settings.mode != "workspace":
            raise
        summary = _browser_fallback(cfg, layout, settings, api_error)
    summary["run_id"] = layout.run_id
    write_json_atomic(layout.manifests / "workspace_export.json", summary)
    return summary


def export_from_public_api(cfg, layout):
    """The manual fallback: capture through the public API and package its Markdown like Notion's ZIP."""
    markdown = layout.run_dir / "api_markdown"
    remove_tree(markdown)
    summary = capture_workspace(cfg, layout.json, markdown_dir=markdown)
    zip_tree_as_export(markdown, layout.export_zip)
    remove_tree(markdown)
    manifest = {"run_id": layout.run_id, "mode": "workspace", "strategy": "public_api", "capture": summary}
    write_json_atomic(layout.manifests / "workspace_export.json", manifest)
    write_json_atomic(layout.manifests / "api_capture.json", dict(summary, run_id=layout.run_id))
    log.warning("export: built from the public API (lower fidelity than Notion's own export)")
    return manifest


def _browser_fallback(cfg, layout, settings, api_error):
    """Hand a failed API export over to the browser flow; the manifest keeps the API failure that caused it."""
    failure = {"error_class": type(api_error).__name__, "message": redact(str(api_error))}
    log.warning("export: the API export failed (%s); handing over to the browser fallback (budget %d s)",
                failure["message"], cfg["export.ui_timeout_seconds"])
    try:
        summary = export_via_browser(settings, layout.run_dir, cfg["export.ui_timeout_seconds"],
                                     cfg["browser.chromium_path"])
    except ExportError as browser_error:
        raise ExportError(f"{browser_error.args[0]}; it was the fallback after the API export failed: "
                          f"{redact(api_error.args[0])}", hint=browser_error.hint) from None
    summary["api_failure"] = failure
    return summary


def tasks(cfg, layout):
    """Up to date once this run id's ZIP is complete; a new run id starts a new export."""
    return {
        "actions": [stage_action(layout, "export", lambda: export(cfg, layout))],
        "targets": [layout.export_zip],
        "uptodate": [run_once, config_changed({"run": layout.run_id, "mode": cfg["export.mode"],
                                               "source": cfg["export.source"]})],
        "verbosity": 2,
    }
