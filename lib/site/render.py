"""Markdown of one Notion page to safe HTML with links resolved against the site index."""
import html
import posixpath
import re

import mistune
from mistune.plugins import import_plugin

from lib.site.fast_mistune import FastHTMLRenderer, FastInlineParser, FastMarkdown
from lib.site.paths import ATTACHMENT_RE, digest, title_from_path

PLUGINS = ["table", "strikethrough", "footnotes", "task_lists", "url", "def_list", "math"]
ALLOWED_TAGS = {"aside", "details", "summary", "u", "mark", "br", "sub", "sup", "del", "s", "em",
                "strong", "b", "i", "kbd"}
VOID_TAGS = {"br"}
TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)"
                    r"((?:\s+[a-zA-Z-]+(?:=\"[^\"<>]*\"|='[^'<>]*'|=[^\s<>]+)?)*)\s*/?>")
BLOCK_OPEN_RE = re.compile(r"^([ \t]*)(</?(?:aside|details|summary)\b[^>]*>)[ \t]*(.*)$", re.I)
PROP_RE = re.compile(r"^([^:\n]{1,80}?): (.*)$")
IMAGE_EXT = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".bmp", ".avif", ".ico")
SLUG_RE = re.compile(r"[^\w\- ]+")


def sanitize_html(raw):
    """Escape raw HTML except allowlisted tags without attributes (`details open` is kept)."""
    out, pos = [], 0
    for match in TAG_RE.finditer(raw):
        out.append(html.escape(raw[pos:match.start()], quote=False))
        closing, name, attrs = match.group(1), match.group(2).lower(), match.group(3).strip()
        if name in ALLOWED_TAGS and (not attrs or (name == "details" and attrs == "open")):
            if closing and name not in VOID_TAGS:
                out.append("</" + name + ">")
            elif not closing:
                out.append("<" + name + (" open" if attrs else "") + ">")
        else:
            out.append(html.escape(match.group(0), quote=False))
        pos = match.end()
    out.append(html.escape(raw[pos:], quote=False))
    return "".join(out)


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


def open_html_blocks(body):
    """Put allowlisted block tags on their own lines so Markdown inside them is parsed."""
    if "<aside" not in body and "<details" not in body and "</" not in body:
        return body
    out = []
    fence = False
    for line in body.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
        match = None if fence else BLOCK_OPEN_RE.match(line)
        if match:
            # Keep the indentation so a callout inside a list item stays in that item.
            indent, tag, rest = match.groups()
            sub = re.match(r"(.*?)(</(?:aside|details|summary)>)\s*$", rest, re.I)
            if tag.lower().startswith("<summary") and sub:
                out.extend(["", indent + tag + sub.group(1) + sub.group(2), ""])
                continue
            out.extend(["", indent + tag, ""])
            if rest.strip():
                out.extend([indent + rest, ""])
            continue
        out.append(line)
    return "\n".join(out)


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
            hit = self._resolved[(url, self._scope)] = (kind, href, record)
        if hit[2] is not None:
            self.links[url] = hit[2]
        return hit[0], hit[1]

    def link(self, text, url, title=None):
        """Render a link to its site path, or mark it broken or missing."""
        kind, href = self._target(url)
        attrs = ' title="' + html.escape(title) + '"' if title else ""
        if kind == "broken":
            path = url.split("#", 1)[0].split("?", 1)[0]
            if ":" not in path and ATTACHMENT_RE.search(path):
                self.missing.append(url)
                return ('<span class="missing-asset" title="Missing attachment: ' + html.escape(url) + '">'
                        + text + " (attachment missing from the backup)</span>")
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
            self.missing.append(url)
            name = html.escape(posixpath.basename(mistune.util.unescape(url)))
            return ('<span class="missing-asset" role="img" aria-label="Missing image">Missing image: '
                    + name + "</span>")
        return '<img src="' + html.escape(href) + '" alt="' + alt + '" loading="lazy" />'

    def heading(self, text, level, **attrs):
        """Render a heading with a readable id, unique within the page."""
        base = slugify(text)
        n = self.seen_ids.get(base, 0)
        self.seen_ids[base] = n + 1
        ident = base if n == 0 else base + "-" + str(n)
        return "<h%d id=\"%s\">%s</h%d>\n" % (level, html.escape(ident), text, level)

    def block_html(self, raw):
        """Render a raw HTML block through the allowlist."""
        return sanitize_html(raw.strip()) + "\n"

    def inline_html(self, raw):
        """Render inline raw HTML through the allowlist."""
        return sanitize_html(raw)


def render_block_math(renderer, text):
    """Show TeX source as a styled block: readable offline without a math engine."""
    return '<pre class="math" title="TeX equation">' + html.escape(text.strip()) + "</pre>\n"


def render_inline_math(renderer, text):
    """Show inline TeX source styled as an equation."""
    return '<code class="math" title="TeX equation">' + html.escape(text) + "</code>"


def make_markdown():
    """Return (markdown, renderer): one parser per process, reused for every page."""
    renderer = SiteRenderer()
    # What mistune.create_markdown(renderer=renderer, plugins=PLUGINS) builds, as a SiteMarkdown.
    md = FastMarkdown(renderer=renderer, inline=FastInlineParser(hard_wrap=False),
                      plugins=[import_plugin(name) for name in PLUGINS])
    renderer.register("block_math", render_block_math)
    renderer.register("inline_math", render_inline_math)
    return md, renderer


def render_properties(props, renderer):
    """Render database-row properties as a definition table."""
    rows = []
    for name, value in props:
        cell = renderer_inline(value, renderer)
        rows.append("<tr><th>" + html.escape(name) + "</th><td>" + cell + "</td></tr>")
    return '<table class="properties">' + "".join(rows) + "</table>\n"


REL_CELL_RE = re.compile(r"([^,()]+?) \(([^()\s]+\.(?:md|csv))\)")


def renderer_inline(value, renderer):
    """Render a property value, turning Notion's 'Title (path.md)' relations into links."""
    out, pos = [], 0
    for match in REL_CELL_RE.finditer(value):
        out.append(html.escape(value[pos:match.start()]))
        out.append(renderer.link(html.escape(match.group(1).strip()), match.group(2)))
        pos = match.end()
    out.append(html.escape(value[pos:]))
    return "".join(out)


def link_info(renderer):
    """Return the links a page made and the digest of where they pointed."""
    links = sorted(renderer.links)
    return {"links": links, "sig": digest([renderer.links[u] for u in links]), "broken": renderer.broken}


def render_page(md, renderer, text, src, index, is_row=False):
    """Return (title, article html, info dict) for one page's Markdown `text`."""
    renderer.index, renderer.src, renderer.out = index, src, index.out[src]
    renderer.reset()
    title, body = split_page(text, title_from_path(src))
    props, body = split_properties(body, is_row)
    parts = []
    if props:
        parts.append(render_properties(props, renderer))
    parts.append(md(open_html_blocks(body)))
    info = link_info(renderer)
    info["missing"] = renderer.missing
    info["props"] = dict(props)
    return title, "".join(parts), info
