"""Raw HTML in Notion's Markdown: the tags its exporter writes pass through nh3, the rest shows as text."""
import html
import posixpath
import re
from urllib.parse import unquote

import nh3

# What Notion's exporter writes as HTML: callouts (<aside> holding an icon <img>), toggles, line breaks in
# table cells, underline and the like. Any other tag is text the user typed, and is shown as such.
TAGS = {"aside", "details", "summary", "img", "br", "u", "mark", "sub", "sup", "del", "s", "em", "strong",
        "b", "i", "kbd"}
VOID = {"br", "img"}
ATTRIBUTES = {"img": {"src", "alt", "width", "height"}, "details": {"open"}}
TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)"
                    r"((?:\s+[a-zA-Z-]+(?:=\"[^\"<>]*\"|='[^'<>]*'|=[^\s<>]+)?)*)\s*/?>")
BOOLEAN = {"open"}
ATTR_RE = re.compile(r'([a-z-]+)="([^"]*)"')
BLOCK_OPEN_RE = re.compile(r"^([ \t]*)(</?(?:aside|details|summary)\b[^>]*>)[ \t]*(.*)$", re.I)
ICON_COLOUR_RE = re.compile(r"_(?:gray|lightgray|brown|orange|yellow|green|blue|purple|pink|red)$")


def clean_attributes(tag, name):
    """Return {attribute: value} of an allowed opening tag: only allowed attributes and safe URLs (nh3)."""
    cleaned = nh3.clean(tag, tags={name}, attributes=ATTRIBUTES, link_rel=None)
    # nh3 serialises every attribute as name="value" with '"' escaped: safe to read back with a pattern.
    return {key: html.unescape(value) for key, value in ATTR_RE.findall(cleaned)}


def open_tag(name, attrs):
    """Return an opening tag; a boolean attribute (`open`) is written without a value."""
    return "<" + name + "".join(" " + key if key in BOOLEAN else ' %s="%s"' % (key, html.escape(value))
                                for key, value in attrs.items()) + ">"


def icon_label(alt, src):
    """Return the words an icon stands for: its alt text, or (Notion repeats the URL there) its file name."""
    if alt and alt != src and "/" not in alt:
        return alt
    stem = posixpath.basename(unquote(src or alt).split("?", 1)[0]).rsplit(".", 1)[0]
    words = ICON_COLOUR_RE.sub("", stem).replace("-", " ").replace("_", " ").strip()
    # A file Notion named only "icon" (or nothing) says nothing to a screen reader: say what it is for.
    return "callout icon" if words.lower() in ("", "icon", "image", "img") else words


def alt_only(attrs):
    """Show an image as its alt text (the default when no resolver is given: nothing is loaded)."""
    return html.escape(icon_label(attrs.get("alt", ""), attrs.get("src", "")))


def sanitize_html(raw, image=alt_only):
    """Return `raw` with Notion's own tags kept (attributes through nh3) and everything else escaped.

    `image(attrs)` renders an <img>: its source must be resolved against the site (or not loaded at all).
    """
    out, pos = [], 0
    for match in TAG_RE.finditer(raw):
        out.append(html.escape(raw[pos:match.start()], quote=False))
        closing, name, attrs = match.group(1), match.group(2).lower(), match.group(3).strip()
        if name not in TAGS:
            out.append(html.escape(match.group(0), quote=False))
        elif closing:
            if name not in VOID:
                out.append("</" + name + ">")
        elif name == "img":
            out.append(image(clean_attributes(match.group(0), name)))
        elif not attrs:
            out.append("<" + name + ">")     # nothing to clean: the common case stays cheap
        else:
            out.append(open_tag(name, clean_attributes(match.group(0), name)))
        pos = match.end()
    out.append(html.escape(raw[pos:], quote=False))
    return "".join(out)


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
