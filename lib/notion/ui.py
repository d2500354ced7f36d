"""Browser fallback: drive Notion's Settings -> Export flow in headless Chromium and collect the same ZIP."""
import logging
import os
import time
from pathlib import Path

from lib.notion import ui_flow as flow
from lib.core.errors import ExportError
from lib.notion.file_download import download, partial_of, verify_zip
from lib.notion.http import NotionHTTP, netloc
from lib.notion.export_tasks import existing_export_activities, mark_read, notification_link
from lib.notion.browser import PAGE_HTML, SCREENSHOT, browser_cookies, browser_path, launch, with_evidence
from lib.core.redact import redact
from lib.core.clock import now_iso

log = logging.getLogger(__name__)
__all__ = ["export_via_browser", "browser_cookies", "browser_path", "PageSaid", "SCREENSHOT", "PAGE_HTML"]


class PageSaid(ExportError):
    """The page showed something other than the next step of the export flow."""


def export_via_browser(cfg, layout):
    """Export the workspace through the web app into the run's export.zip; return the workspace_export facts."""
    if cfg["export.mode"] != "workspace":
        raise ExportError(f"the browser fallback exports the whole workspace, but OFFICIAL_EXPORT_MODE is "
                          f"{cfg['export.mode']!r}", hint="set OFFICIAL_WORKSPACE_UI_FALLBACK=0 for roots mode")
    run_dir, target = layout.run_dir, layout.export_zip
    run_dir.mkdir(parents=True, exist_ok=True)
    stale = partial_of(target)
    if stale.exists():  # left by the failed API attempt: a different export, so it must not be resumed
        log.info("export: removing %s (%d bytes) left by the failed API download", stale.name, stale.stat().st_size)
        stale.unlink()
    started = time.monotonic()
    deadline = started + cfg["export.ui_timeout_seconds"]
    http = NotionHTTP.for_config(cfg)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise ExportError("the browser fallback needs the playwright package, which is not installed",
                          hint="pip install -r requirements.txt") from None
    with sync_playwright() as playwright:
        executable = browser_path(playwright, cfg["browser.chromium_path"])
        browser = launch(playwright, executable)
        try:
            context = browser.new_context(accept_downloads=True)
            context.add_cookies(browser_cookies(cfg))
            page = context.new_page()
            try:
                arrival = _drive(page, cfg, http, target, deadline)
            except Exception as exc:
                raise with_evidence(page, run_dir, exc) from None
            version = browser.version
        finally:
            browser.close()
    if arrival[0] == "notification":
        facts = _await_notification(http, cfg, target, arrival[1], arrival[2], deadline)
    else:
        facts = arrival[1]
    seconds = time.monotonic() - started
    log.info("export: browser fallback produced %s (%d bytes, via %s) in %.1f s", target,
             facts["bytes"], arrival[0], seconds)
    return {"strategy": "browser", "mode": "workspace", "space_id": cfg.space_id, "arrived_by": arrival[0],
            "bytes": facts["bytes"], "seconds": round(seconds, 3), "browser": version, "download": facts,
            "options": {what: value or True for what, action, _sel, value in flow.STEPS if action != "click"},
            "finished_at": now_iso()}


def _remaining(deadline, cap=None):
    left = max(0.5, deadline - time.monotonic())
    return min(left, cap) if cap else left


def _blocker(page):
    """The (marker, hint) of a blocking state the page shows, if any."""
    for marker, selector, hint in flow.BLOCKERS:
        if page.locator(selector).first.is_visible():
            return marker, hint
    return None


def _step(page, what, selector, deadline):
    """Wait for a step's element (or a blocker); return its locator or raise PageSaid."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    target = page.locator(selector).first
    either = target
    for _marker, blocker, _hint in flow.BLOCKERS:
        either = either.or_(page.locator(blocker))
    seconds = _remaining(deadline, flow.STEP_TIMEOUT_SECONDS)
    try:
        either.first.wait_for(state="visible", timeout=seconds * 1000)
    except PlaywrightTimeout:
        raise PageSaid(f"timeout: no {what} on the page within {seconds:.0f} s",
                       hint="Notion's page may have changed: update lib/notion/ui_flow.py, or raise "
                            "OFFICIAL_WORKSPACE_UI_TIMEOUT_SECONDS") from None
    blocked = None if target.is_visible() else _blocker(page)
    if blocked:
        raise PageSaid(f"the page showed {blocked[0]} instead of the {what}", hint=blocked[1])
    return target


def _drive(page, cfg, http, zip_path, deadline):
    """Run the flow; return ("download", facts) or ("notification", click time in ms, earlier activity ids)."""
    url = cfg["notion.base_url"].rstrip("/") + flow.START_PATH
    log.info("export: browser fallback opening %s", redact(url))
    page.goto(url, timeout=_remaining(deadline, flow.STEP_TIMEOUT_SECONDS) * 1000)
    for what, action, selector, value in flow.STEPS:
        control = _step(page, what, selector, deadline)
        if action == "click":
            control.click()
        elif action == "select":
            control.select_option(label=value)
        elif action == "check":
            control.check()
        log.info("export: browser fallback: %s %s", what, "done" if value is None else f"set to {value!r}")
    button = _step(page, "Export button", flow.EXPORT_BUTTON, deadline)
    earlier = existing_export_activities(http, cfg)
    downloads, responses = [], {}
    page.on("download", lambda item: downloads.append(item))
    page.on("response", lambda r: responses.setdefault(r.url, (r.status, r.headers.get("content-length"))))
    clicked_ms = int(time.time() * 1000)
    button.click(no_wait_after=True)
    log.info("export: browser fallback clicked Export; waiting for a download or the e-mail notice")
    email = page.locator(flow.EMAIL_NOTICE).first
    while not downloads:
        if email.is_visible():
            log.info("export: the page says the export will be e-mailed; waiting for Notion's notification")
            return "notification", clicked_ms, earlier
        blocked = _blocker(page)
        if blocked:
            raise PageSaid(f"after the Export click the page showed {blocked[0]}", hint=blocked[1])
        if time.monotonic() > deadline:
            raise PageSaid("timeout: neither a download nor the e-mail notice came after the Export click",
                           hint="raise OFFICIAL_WORKSPACE_UI_TIMEOUT_SECONDS")
        page.wait_for_timeout(250)
    return "download", _save_download(downloads[0], responses, zip_path)


def _save_download(item, responses, target):
    """Move the browser's finished download to target's .part, check it like the API download, then rename."""
    started = time.monotonic()
    failure = item.failure()
    if failure:
        raise PageSaid(f"the browser download failed: {redact(failure)}", hint="re-run the export stage")
    status, length = responses.get(item.url, (None, None))
    if status is not None and status not in (200, 206):
        raise PageSaid(f"the export download answered HTTP {status}", hint="re-run the export stage")
    part = partial_of(target)
    source = Path(item.path())
    try:
        os.replace(source, part)  # same disk: no second copy of a multi-GB file
    except OSError:
        item.save_as(part)
    try:
        size = verify_zip(part, int(length) if length and length.isdigit() else None)
    except ExportError:
        part.unlink(missing_ok=True)  # never leave a bad .part for the API download to "resume"
        raise
    os.replace(part, target)
    seconds = time.monotonic() - started
    log.info("download: browser download complete, %d bytes (%s) from %s", size, item.suggested_filename,
             netloc(item.url))
    return {"bytes": size, "seconds": round(seconds, 3), "host": netloc(item.url), "status": status,
            "filename": redact(item.suggested_filename)}


def _await_notification(http, cfg, target, clicked_ms, earlier, deadline):
    """Wait for the export-completed notification after the click, then download its link like the API path."""
    polls, last_log = 0, time.monotonic()
    while True:
        polls += 1
        found = notification_link(http, cfg, clicked_ms, exclude=earlier)
        if found:
            link, base, note_id, _activity = found
            log.info("export: notification arrived after %d feed polls; downloading from %s", polls, netloc(link))
            facts = download(http, link, target)
            if note_id and cfg["export.mark_notification_read"]:
                mark_read(http, cfg, base, note_id)
            return dict(facts, feed_polls=polls)
        if time.monotonic() > deadline:
            raise ExportError(f"browser fallback: the page said the export would be e-mailed, but no export-completed "
                              f"notification arrived within the budget ({polls} feed polls)",
                              hint="raise OFFICIAL_WORKSPACE_UI_TIMEOUT_SECONDS, or download the e-mailed link by hand")
        if time.monotonic() - last_log >= 30:
            last_log = time.monotonic()
            log.info("export: still waiting for the e-mailed export's notification (%d feed polls)", polls)
        time.sleep(cfg["export.notification_interval_seconds"])
