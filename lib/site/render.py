"""Markdown of one Notion page to safe HTML with links resolved against the site index."""
import html
import posixpath
import re

import mistune
from mistune.plugins import import_plugin

from lib.site.fast_mistune import FastHTMLRenderer, FastInlineParser, FastMarkdown
from lib.core.notion_names import title_of
from lib.site.site_paths import ATTACHMENT_RE, digest
from lib.site.props import render_properties
from lib.site.rawhtml import icon_label, open_html_blocks, sanitize_html

PLUGINS = ["table", "strikethrough", "footnotes", "task_lists", "url", "def_list", "math"]
PROP_RE = re.compile(r"^([^:\n]{1,80}?): (.*)$")
SLUG_RE = re.compile(r"[^\w\- ]+")


def split_page(text, fallback_title):
    """Return (title, body) where title comes from the first '# ' line of the page."""
    if text.startswith("\ufeff"):
        text = text[1:]
    stripped = text.lstrip("\n")
    if stripped.startswith("# "):
        line, _, rest = stripped.partition("\n")
        title = line[2:].strip()
        return (title or fallback_title), rest
    return fallback_title, text


def read_title(path, rel):
    """Return the title of a page from its first '# ' line, read from the file head only."""
    with open(path, "rb") as handle:
        head = handle.read(4096)
    text = head.decode("utf-8", errors="ignore")
    return split_page(text.split("\n\n", 1)[0] + "\n", title_of(rel))[0]


def split_properties(body, is_row):
    """Return (properties [(name, value)], rest) from the block right under the title."""
    lines = body.lstrip("\n").split("\n")
    props = []
    for line in lines:
        if not line.strip():
            break
        match = PROP_RE.match(line)
        if not match or match.group(1).startswith(("#", "-", "*", ">", "|", "<", "!", "[")):
            return [], body
        props.append((match.group(1).strip(), match.group(2).strip()))
    if not props or (not is_row and len(props) < 2):
        return [], body
    return props, "\n".join(lines[len(props):])


def slugify(text):
    """Return a heading id built from the heading text."""
    text = re.sub(r"<[^>]+>", "", text)
    base = SLUG_RE.sub("", html.unescape(text)).strip().lower()
    return re.sub(r"\s+", "-", base) or "section"


class SiteRenderer(FastHTMLRenderer):
    """HTML renderer that resolves links through a SiteIndex and records what it saw."""

    def __init__(self):
        super().__init__()
        self.index = None
        self.src = ""
        self.out = ""
        self.titles, self.official = {}, None     # to name the target of a link written without text
        self._resolved_in, self._resolved = None, {}
        self.reset()

    def reset(self):
        """Forget the per-page records before rendering the next page."""
        self.links = {}       # href -> where it pointed, so a later file set can be checked cheaply
        self.broken = []
        self.missing = []
        self.seen_ids = {}
        if self._resolved_in is not self.index:
            self._resolved_in, self._resolved = self.index, {}
        # A link resolves the same from every page of a folder (pages link to their siblings and parents).
        self._scope = (posixpath.dirname(self.src), posixpath.dirname(self.out))

    def _target(self, url):
        hit = self._resolved.get((url, self._scope))
        if hit is None:
            kind, target, fragment = self.index.resolve(url, self.src)
            record = None
            if kind in ("page", "db", "asset", "broken"):
                record = [kind, self.index.out[target] if target else None, fragment]
            href = None if target is None else self.index.href(self.index.out[target], self.out, fragment)
            hit = self._resolved[(url, self._scope)] = (kind, href, record, target)
        if hit[2] is not None:
            self.links[url] = hit[2]
        return hit[0], hit[1]

    def target(self, url):
        """Return (kind, site href or None) of a link from the current page, and record it."""
        return self._target(url)

    def _label(self, url):
        """Return the text for a link Notion wrote without any (a database mention): the target's name."""
        target = self._resolved[(url, self._scope)][3]
        if target is None:
            return html.escape(url)
        if self.index.kind.get(target) != "page":
            return html.escape(title_of(target))
        title = self.titles.get(target)
        if title is None and self.official:
            title = read_title(posixpath.join(self.official, target), target)
        return html.escape(title or title_of(target))

    def link(self, text, url, title=None):
        """Render a link to its site path, or mark it broken or missing."""
        kind, href = self._target(url)
        if not text.strip():
            text = self._label(url)
        attrs = ' title="' + html.escape(title) + '"' if title else ""
        if kind == "broken":
            path = url.split("#", 1)[0].split("?", 1)[0]
            if ":" not in path and ATTACHMENT_RE.search(path):
                return self.missing_file(url, text)
            self.broken.append(url)
            return ('<a class="broken-link" title="Broken link: ' + html.escape(url) + '">' + text + "</a>")
        if href is None:
            if self.sanitize_url(url) != url:
                return '<span class="unsafe-link" title="Link removed: unsafe address">' + text + "</span>"
            return super().link(text, url, title)
        cls = ' class="attachment"' if kind == "asset" else ""
        return '<a href="' + html.escape(href) + '"' + cls + attrs + ">" + text + "</a>"

    def image(self, text, url, title=None):
        """Render a local image, a placeholder for a missing one, and never load a remote one."""
        alt = html.escape(mistune.util.striptags(text))
        kind, href = self._target(url)
        if url.startswith("data:image/") and self.sanitize_url(url) == url:
            return '<img src="' + html.escape(url) + '" alt="' + alt + '" />'
        if kind == "external":
            safe = html.escape(self.sanitize_url(url))
            return ('<a class="remote-image" href="' + safe + '">Remote image (not stored in the backup): '
                    + (alt or safe) + "</a>")
        if href is None:
            return self.missing_image(url, html.escape(posixpath.basename(mistune.util.unescape(url))))
        return '<img src="' + html.escape(href) + '" alt="' + alt + '" loading="lazy" />'

    def missing_file(self, url, text):
        """Record an attachment missing from the export and show its name in its place."""
        self.missing.append(url)
        return ('<span class="missing-asset" title="Missing attachment: ' + html.escape(url) + '">'
                + text + " (attachment missing from the backup)</span>")

    def missing_image(self, url, name):
        """Record an image missing from the export and show a placeholder naming it."""
        self.missing.append(url)
        return '<span class="missing-asset" role="img" aria-label="Missing image">Missing image: ' + name + "</span>"

    def heading(self, text, level, **attrs):
        """Render a heading with a readable id, unique within the page."""
        base = slugify(text)
        n = self.seen_ids.get(base, 0)
        self.seen_ids[base] = n + 1
        ident = base if n == 0 else base + "-" + str(n)
        return "<h%d id=\"%s\">%s</h%d>\n" % (level, html.escape(ident), text, level)

    def raw_image(self, attrs):
        """Render an <img> Notion wrote as HTML (a callout's icon): local, missing, or its name offline."""
        src, alt = attrs.get("src", ""), attrs.get("alt", "")
        label = html.escape(icon_label(alt, src))
        kind, href = self._target(src) if src else ("external", None)
        if kind == "broken":
            return self.missing_image(src, label)
        if kind != "asset" or href is None:
            # Never loaded from the web: the site works offline and tells nobody it was opened.
            title = ' title="' + html.escape(src) + '"' if src else ""
            return '<span class="remote-icon" role="img" aria-label="%s"%s>%s</span>' % (label, title, label)
        width = "".join(c for c in attrs.get("width", "") if c.isdigit())[:4]
        size = ' width="' + width + '"' if width else ""
        return '<img src="' + html.escape(href) + '" alt="' + label + '"' + size + ' loading="lazy" />'

    def block_html(self, raw):
        """Render a raw HTML block: Notion's own tags kept, anything else shown as text."""
        return sanitize_html(raw.strip(), self.raw_image) + "\n"

    def inline_html(self, raw):
        """Render inline raw HTML: Notion's own tags kept, anything else shown as text."""
        return sanitize_html(raw, self.raw_image)


class BlockRenderer(SiteRenderer):
    """The site's renderer that returns a page's top-level blocks one by one (to compare two versions)."""

    def __call__(self, tokens, state):
        """Return the rendered top-level blocks of the page, blank lines left out."""
        render = self.render_token
        return [part for part in [render(tok, state) for tok in tokens] if part]


def render_block_math(renderer, text):
    """Show TeX source as a styled block: readable offline without a math engine."""
    return '<pre class="math" title="TeX equation">' + html.escape(text.strip()) + "</pre>\n"


def render_inline_math(renderer, text):
    """Show inline TeX source styled as an equation."""
    return '<code class="math" title="TeX equation">' + html.escape(text) + "</code>"


def make_markdown(kind=SiteRenderer):
    """Return (markdown, renderer): one parser per process, reused for every page."""
    renderer = kind()
    # What mistune.create_markdown(renderer=renderer, plugins=PLUGINS) builds, as a SiteMarkdown.
    md = FastMarkdown(renderer=renderer, inline=FastInlineParser(hard_wrap=False),
                      plugins=[import_plugin(name) for name in PLUGINS])
    renderer.register("block_math", render_block_math)
    renderer.register("inline_math", render_inline_math)
    return md, renderer


def link_info(renderer):
    """Return the links a page made and the digest of where they pointed."""
    links = sorted(renderer.links)
    return {"links": links, "sig": digest([renderer.links[u] for u in links]), "broken": renderer.broken}


def page_parts(md, renderer, text, src, index, is_row=False, out=None):
    """Return (title, [html parts], info dict) for one page's Markdown `text` at export path `src`, written
    to site path `out` (default: where the site puts that page; an earlier version goes elsewhere); with a
    BlockRenderer the parts are the property table and each top-level block."""
    renderer.index, renderer.src, renderer.out = index, src, out or index.out[src]
    renderer.reset()
    title, body = split_page(text, title_of(src))
    props, body = split_properties(body, is_row)
    parts = []
    if props:
        parts.append(render_properties(props, renderer))
    rendered = md(open_html_blocks(body))
    parts += [rendered] if isinstance(rendered, str) else rendered
    info = link_info(renderer)
    info["missing"] = renderer.missing
    info["props"] = dict(props)
    return title, parts, info


def render_page(md, renderer, text, src, index, is_row=False, out=None):
    """Return (title, article html, info dict) for one page's Markdown `text` at export path `src`, written
    to site path `out` (default: where the site puts that page; an earlier version goes elsewhere)."""
    title, parts, info = page_parts(md, renderer, text, src, index, is_row, out)
    return title, "".join(parts), info
