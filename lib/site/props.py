"""Database property values, in a row page's property block and in CSV cells: files, links, relations."""
import html
import posixpath
import re
from urllib.parse import unquote

from lib.site.site_paths import ATTACHMENT_RE

IMAGE_EXT = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".bmp", ".avif", ".ico")
REL_CELL_RE = re.compile(r"([^,()]+?) \(([^()\s]+\.(?:md|csv))\)")
URL_RE = re.compile(r"https?://[^\s<>\"']+$", re.I)
EMAIL_RE = re.compile(r"[^\s@,<>()\"']+@[^\s@,<>()\"']+\.[A-Za-z]{2,}$")
PHONE_RE = re.compile(r"\+?[0-9][0-9 ().-]{5,}[0-9]$")
PHONE_NAME_RE = re.compile(r"\b(?:phone|tel|mobile|cell|fax)", re.I)
# Notion separates the values of a multi-value property (files, relations) with ", ".
SEPARATOR = ", "


def render_properties(props, renderer):
    """Render a row page's properties as a two-column table."""
    rows = []
    for name, value in props:
        rows.append("<tr><th>" + html.escape(name) + "</th><td>" + render_value(name, value, renderer)
                    + "</td></tr>")
    return '<table class="properties">' + "".join(rows) + "</table>\n"


# Notion writes a checkbox property as "Yes" or "No".
CHECKBOX = {"Yes": '<span class="checkbox" role="img" aria-label="Yes">\u2611</span>',
            "No": '<span class="checkbox" role="img" aria-label="No">\u2610</span>'}


def render_value(name, value, renderer):
    """Render one property value (column `name`): links where Notion wrote files, URLs or relations, and
    a checkbox's Yes or No as a ticked or empty box."""
    if value in CHECKBOX:
        return CHECKBOX[value]
    if " (" in value and REL_CELL_RE.search(value):
        return relations(value, renderer)
    files = file_links(value, renderer)
    if files is not None:
        return files
    if EMAIL_RE.match(value):
        return '<a href="mailto:%s">%s</a>' % (html.escape(value), html.escape(value))
    if PHONE_RE.match(value) and (value.startswith("+") or PHONE_NAME_RE.search(name)):
        number = ("+" if value.startswith("+") else "") + re.sub(r"\D", "", value)
        if len(number.lstrip("+")) >= 7:
            return '<a href="tel:%s">%s</a>' % (number, html.escape(value))
    return html.escape(value)


def relations(value, renderer):
    """Render Notion's 'Title (path.md), Other (path.md)' relation values as links, separators kept."""
    out, pos = [], 0
    for match in REL_CELL_RE.finditer(value):
        title = match.group(1)
        lead = title[: len(title) - len(title.lstrip())]
        out.append(html.escape(value[pos:match.start()] + lead))
        out.append(renderer.link(html.escape(title.strip()), match.group(2)))
        pos = match.end()
    out.append(html.escape(value[pos:]))
    return "".join(out)


def file_links(value, renderer):
    """Render a Files & media or URL value (paths beside the page, or web addresses); None for other text.

    Every part must be a web address or a file of the export; a part that looks like a file but is not
    in the export counts as a missing attachment only when another part of the same value was found.
    """
    parts = value.split(SEPARATOR)
    kinds, found = [], False
    for part in parts:
        if URL_RE.match(part):
            kinds.append("url")
            continue
        if not ATTACHMENT_RE.search(part.split("?", 1)[0]):
            return None
        kind, href = renderer.target(part)
        if kind == "asset" and href:
            kinds.append(href)
            found = True
        elif kind == "broken":
            kinds.append(None)
        else:
            return None
    if not found and None in kinds:
        return None
    return SEPARATOR.join(_file_html(part, kind, renderer) for part, kind in zip(parts, kinds))


def _file_html(part, href, renderer):
    """Return one file of a Files value: a thumbnail for an image, else a link named after the file."""
    if href == "url":
        return renderer.link(html.escape(part), part)
    name = posixpath.basename(unquote(part.split("?", 1)[0])) or part
    if href is None:
        return renderer.missing_file(part, html.escape(name))
    label = html.escape(name)
    if name.lower().endswith(IMAGE_EXT):
        label = '<img class="thumb" src="%s" alt="%s" loading="lazy" />' % (html.escape(href), label)
    return '<a class="attachment" href="%s" title="%s">%s</a>' % (html.escape(href), html.escape(name), label)
