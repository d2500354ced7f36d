"""A link checker for a built site: every local href and src opens a file, every <a> has text, and every
attachment of the export is reachable from at least one page."""
import os
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

PAGE_KINDS = (".md", ".csv")


class _Page(HTMLParser):
    """Collects the local references and the text of every <a> of one HTML file."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.refs, self.empty, self._open = [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "src"):
            if attrs.get(name):
                self.refs.append(attrs[name])
        if tag == "a":
            self._open.append([attrs, ""])
        elif tag == "img" and self._open and attrs.get("alt"):
            self._open[-1][1] += attrs["alt"]      # an image link is named by its alt text

    def handle_data(self, data):
        for link in self._open:
            link[1] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._open:
            attrs, text = self._open.pop()
            if not text.strip():
                self.empty.append(attrs)


def check_site(site, official=None):
    """Return {'broken': [(page, ref)], 'empty_links': [(page, attrs)], 'unlinked': [attachment]}."""
    site = Path(site)
    broken, empty, linked = [], [], set()
    for page in sorted(site.rglob("*.html")):
        parser = _Page()
        parser.feed(page.read_text(encoding="utf-8"))
        rel = page.relative_to(site).as_posix()
        empty += [(rel, attrs) for attrs in parser.empty]
        for ref in parser.refs:
            parts = urlsplit(ref)
            if parts.scheme or parts.netloc or not parts.path:
                continue        # web addresses, mailto:, tel:, data: and in-page anchors
            target = (page.parent / unquote(parts.path)).resolve()
            if not target.is_file():
                broken.append((rel, ref))
            else:
                linked.add(os.path.relpath(target, site.resolve()).replace(os.sep, "/"))
    unlinked = []
    if official is not None:
        for path in sorted(Path(official).rglob("*")):
            rel = path.relative_to(official).as_posix()
            if path.is_file() and not rel.lower().endswith(PAGE_KINDS) and rel != "index.html" \
                    and rel not in linked:
                unlinked.append(rel)
    return {"broken": broken, "empty_links": empty, "unlinked": unlinked}
