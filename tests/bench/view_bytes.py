"""What one page view of the site loads (the page, its CSS and JS, the sidebar parts it names, inline database
previews), and what one search loads: the render benchmark reports both; a browser test checks the model."""
import json
import re
from pathlib import Path
from urllib.parse import unquote

from lib.site.inline_db import PREVIEW_DIR
from lib.site.nav_parts import NAV_JS, PART_DIR, part_of
from lib.site.search import SEARCH_JS, SHARD_DIR, fold, shard_of

NAV_RE = re.compile(r'data-nav="([0-9a-f]{12})"')
DB_RE = re.compile(r'data-db="([0-9a-f]{16})"')


def _head(site, rel, prefix):
    return json.loads((Path(site) / rel).read_text(encoding="utf-8")[len(prefix):-2])


def _lists(site):
    """Return {key: part file} of every sidebar list piece 0 and the number of parts."""
    parts = _head(site, NAV_JS, "window.SITE_NAV=")["parts"]
    keys = {}
    for n in range(parts):
        text = (Path(site) / PART_DIR / ("%d.js" % n)).read_text(encoding="utf-8")
        for key in json.loads(text[text.index(",") + 1:-3]):
            keys[key] = PART_DIR + "%d.js" % n
    return keys, parts


def view_files(site, rel, lists=None):
    """Return the site paths one view of page `rel` loads (images aside)."""
    text = (Path(site) / rel).read_text(encoding="utf-8")
    keys, parts = lists or _lists(site)
    files = {rel, "_site/site.css", "_site/site.js", NAV_JS}
    files.update(keys[k] for k in NAV_RE.findall(text) if k in keys)
    files.update(PREVIEW_DIR + name + ".js" for name in DB_RE.findall(text))
    assert all(part_of(k, 0, parts) == int(keys[k][len(PART_DIR):-3]) for k in NAV_RE.findall(text) if k in keys)
    return files


def view_bytes(site, pages):
    """Return (mean, max) bytes loaded per view over `pages` (site paths)."""
    lists = _lists(site)
    sizes = [sum((Path(site) / f).stat().st_size for f in view_files(site, rel, lists)) for rel in pages]
    return round(sum(sizes) / len(sizes)), max(sizes)


def search_files(site, word, shown=50):
    """Return the site paths a search for `word` (a word's start, as site.js searches) loads: the head, the
    token parts of the word's starts and of the parts split below it, and the page list parts of the first
    `shown` results (the most it can be, in page order)."""
    head = _head(site, SEARCH_JS, "window.SITE_SEARCH=")
    tok = fold(word)
    codes = shard_of(tok, len(tok)).split("-")
    files, hits = {SEARCH_JS}, set()
    for name in head["parts"]:
        pc = name.split("-")
        if pc[:len(codes)] != codes[:len(pc)]:
            continue
        part = SHARD_DIR + "t-" + name + ".js"
        files.add(part)
        text = (Path(site) / part).read_text(encoding="utf-8")
        for key, packed in json.loads(text[text.index(",") + 1:-3]).items():
            if key.startswith(tok):
                number = 0
                for item in packed.split(","):
                    number += int(item.rstrip("!+"), 36)
                    hits.add(number)
    files.update(SHARD_DIR + "p-%d.js" % (n // head["per"]) for n in sorted(hits)[:shown])
    return files


def files_bytes(site, files):
    """Return the bytes of site paths `files`."""
    return sum((Path(site) / f).stat().st_size for f in files)


def site_path(site, url):
    """Return the site path of a file:// URL under `site`."""
    return unquote(url[len(Path(site).as_uri()) + 1:])
