"""The browser for the UI fallback: which executable, how it is launched, its cookies, and failure evidence."""
import ipaddress
import logging
import os
from urllib.parse import urlsplit

from lib.core.errors import ExportError
from lib.core.fsutil import write_bytes_atomic
from lib.core.redact import redact

log = logging.getLogger(__name__)
DEBIAN_CHROMIUM = "/usr/bin/chromium"
INSTALL_HINT = "apt-get install chromium, or set CHROMIUM_PATH to a Chromium/Chrome executable"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--no-first-run", "--disable-sync"]
SCREENSHOT, PAGE_HTML = "ui_failure.png", "ui_failure.html"


def browser_path(playwright, chromium_path=""):
    """Pick the browser: CHROMIUM_PATH, else Playwright's own, else Debian's; ExportError when none exists."""
    if chromium_path:
        if not os.path.isfile(chromium_path):
            raise ExportError(f"no browser at CHROMIUM_PATH={chromium_path!r} (file does not exist)",
                              hint=INSTALL_HINT)
        return chromium_path
    candidates = [playwright.chromium.executable_path, DEBIAN_CHROMIUM]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate):
            return candidate
    raise ExportError(f"no Chromium for the browser fallback: CHROMIUM_PATH is empty and none of "
                      f"{', '.join(candidates)} exists", hint=INSTALL_HINT)


def launch(playwright, executable):
    """Start headless Chromium; a browser that will not start is an ExportError with the install hint."""
    from playwright.sync_api import Error
    try:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=LAUNCH_ARGS)
    except Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ExportError(f"could not start the browser {executable}: {redact(first)}", hint=INSTALL_HINT) from None
    log.info("export: browser fallback started %s (Chromium %s)", executable, browser.version)
    return browser


def _cookie_scope(url):
    """Cookie fields for a Notion URL: the registrable domain for real hosts, the exact URL for IPs/localhost."""
    split = urlsplit(url if "//" in url else f"https://{url}")
    host = split.hostname or ""
    try:
        ipaddress.ip_address(host)
        literal = True
    except ValueError:
        literal = host == "localhost" or "." not in host
    if literal:
        return {"url": f"{split.scheme}://{split.netloc}/"}
    # notion.so and notion.com hosts share cookies across their subdomains (www., app., file.).
    return {"domain": "." + ".".join(host.split(".")[-2:]), "path": "/", "secure": split.scheme == "https"}


def browser_cookies(cfg):
    """The token_v2 and file_token cookies for every Notion host the flow may touch (no duplicates)."""
    scopes, seen = [], set()
    scheme = urlsplit(cfg["notion.base_url"]).scheme
    file_urls = [host if "//" in host else f"{scheme}://{host}" for host in cfg["notion.file_hosts"]]
    for url in [cfg["notion.base_url"], *cfg["notion.notification_base_urls"], *file_urls]:
        scope = _cookie_scope(url)
        key = tuple(sorted(scope.items()))
        if key not in seen:
            seen.add(key)
            scopes.append(scope)
    cookies = []
    for scope in scopes:
        for name, value in (("token_v2", cfg.secret("NATIVE_EXPORT_TOKEN_V2")), ("file_token", cfg.secret("NATIVE_EXPORT_FILE_TOKEN"))):
            if value:
                cookies.append({"name": name, "value": value, "httpOnly": True, "sameSite": "Lax", **scope})
    return cookies


def with_evidence(page, run_dir, exc):
    """Save a screenshot and the redacted page HTML; return an ExportError naming them and what the page showed."""
    from playwright.sync_api import Error
    saved = []
    try:
        tmp = run_dir / (SCREENSHOT + ".tmp")
        page.screenshot(path=str(tmp), type="png", full_page=True, timeout=10_000)
        os.replace(tmp, run_dir / SCREENSHOT)
        saved.append(f"screenshot {run_dir / SCREENSHOT}")
    except Error as shot_error:
        log.warning("export: could not take a screenshot: %s", redact(str(shot_error).splitlines()[0]))
    try:
        write_bytes_atomic(run_dir / PAGE_HTML, redact(page.content()).encode("utf-8"))
        saved.append(f"page HTML {run_dir / PAGE_HTML}")
    except Error as html_error:
        log.warning("export: could not save the page HTML: %s", redact(str(html_error).splitlines()[0]))
    if isinstance(exc, ExportError):
        what, hint = exc.args[0], exc.hint
    else:
        what, hint = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}", \
            "re-run; if it persists, update lib/notion/ui_flow.py"
    where = redact(page.url)
    evidence = "; saved " + " and ".join(saved) if saved else "; no screenshot could be saved"
    return ExportError(redact(f"browser fallback: {what} (page {where}){evidence}"), hint=hint)
