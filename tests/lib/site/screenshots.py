"""The README's screenshots of the site, light and dark, from the demo: `make demo`, then
`.venv/bin/python -m tests.lib.site.screenshots demo/project/backups/site docs`."""
import logging
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

log = logging.getLogger("screenshots")
SEARCH = ("() => { const s = document.getElementById('search'); s.focus(); s.value = 'nandu';"
          " s.dispatchEvent(new Event('input')); }")


def shots(site):
    """Return [(name, site path, script to run first or None)]: a page with search open, a database, a diff."""
    page = next(site.glob("Home/Ñandú facts *.html"))
    database = next(site.glob("Projects/Tasks *.html"))
    diffs = sorted(site.glob("_site/history/*/*/*-*.html"), key=lambda p: p.stat().st_size)
    first_change = "() => document.querySelector('.diff-block, ins, del').scrollIntoView({block: 'center'})"
    return [("page", page, SEARCH), ("database", database, None), ("diff", diffs[-1], first_change)]


def main():
    """Write docs/site-<what>-<light|dark>.png from the demo site."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    site, out = Path(sys.argv[1]).resolve(), Path(sys.argv[2])
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        for scheme in ("light", "dark"):
            context = browser.new_context(viewport={"width": 1100, "height": 560}, color_scheme=scheme)
            page = context.new_page()
            for name, path, script in shots(site):
                page.goto(path.as_uri())
                if script:
                    page.evaluate(script)
                if script == SEARCH:
                    page.wait_for_selector("#search-results mark")
                target = out / f"site-{name}-{scheme}.png"
                page.screenshot(path=str(target))
                log.info("%s: %d KB", target, target.stat().st_size // 1024)
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
