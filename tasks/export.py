"""export: ask Notion for the workspace export and download the ZIP into the run's staging folder."""
import logging

from doit.tools import config_changed, run_once

from lib.fsutil import write_json_atomic
from lib.notion_export import ExportSettings, parse_page_ids, parse_space_id, run_export
from tasks import stage_action

log = logging.getLogger("export")


def export_settings(cfg, layout):
    """Build the export client's settings from the config."""
    roots = cfg["export.root_page_ids"]
    if cfg["export.mode"] == "roots" and not roots:
        from lib.fsutil import read_json
        roots = read_json(layout.manifests / "roots.json", {}).get("root_page_ids", [])
    space = cfg.secret("NOTION_SPACE_ID")
    return ExportSettings(
        token_v2=cfg.secret("NATIVE_EXPORT_TOKEN_V2"),
        file_token=cfg.secret("NATIVE_EXPORT_FILE_TOKEN"),
        space_id=parse_space_id(space) if space else "",
        mode=cfg["export.mode"],
        root_ids=parse_page_ids(",".join(roots)) if roots else [],
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
    summary = run_export(export_settings(cfg, layout), layout.run_dir)
    summary["run_id"] = layout.run_id
    write_json_atomic(layout.manifests / "workspace_export.json", summary)
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
