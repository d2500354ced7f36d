"""Render earlier versions and diffs of pages in a worker process and write their HTML files."""
import hashlib
import html
import os

from lib.site.diff_html import parse_csv, table_diff, text_diff
from lib.site.history_pages import banner, history_page, href
from lib.site.nav import page_shell
from lib.core.notion_names import title_of
from lib.site.props import render_value
from lib.site.render import link_info, make_markdown, render_page
from lib.site.worker import write_atomic
from lib.core.textdiff import as_text
from lib.site.words import count

_CTX = {}


def init_history_worker(ctx):
    """Keep the build context (the current site's index) and one Markdown parser in this process."""
    _CTX.clear()
    _CTX.update(ctx)
    _CTX["md"], _CTX["renderer"] = make_markdown()
    _CTX["renderer"].titles = ctx["titles"]


def csv_table(data, renderer):
    """Return a database version as an HTML table, cells rendered as the site renders them."""
    header, rows = parse_csv(data)
    parts = ['<p class="db-meta">%s</p>\n<div class="table-wrap"><table class="database"><thead><tr>'
             % count(len(rows), "row")]
    parts += ["<th>%s</th>" % html.escape(h) for h in header]
    parts.append("</tr></thead><tbody>\n")
    for row in rows:
        cells = [render_value(header[j] if j < len(header) else "", cell, renderer) for j, cell in enumerate(row)]
        parts.append("<tr>" + "".join("<td>%s</td>" % c for c in cells) + "</tr>\n")
    parts.append("</tbody></table></div>\n")
    return "".join(parts)


def render_version(item):
    """Return (title, article, links info) of one earlier version of a page or database."""
    md, renderer, index = _CTX["md"], _CTX["renderer"], _CTX["index"]
    path, out = item["path"], item["out"]
    if item["type"] == "db":
        renderer.index, renderer.src, renderer.out = index, path, out
        renderer.reset()
        article, info = csv_table(item["text"], renderer), link_info(renderer)
        return title_of(path), article, info
    src = index.node_of(path) if path in index.kind else None
    is_row = src is not None and index.kind.get(index.parent.get(src)) == "db"
    title, article, info = render_page(md, renderer, as_text(item["text"]), path, index, is_row, out=out)
    return title, article, info


def render_diff(item):
    """Return the article of the difference between two versions of a page or database."""
    if item["type"] == "db":
        return table_diff(item["old"], item["new"])[0]
    return text_diff(item["old"], item["new"])[0]


def render_history_chunk(items):
    """Render and write each item (an earlier version or a diff); return {site path: facts}."""
    results = {}
    for item in items:
        info, out = item["info"], item["out"]
        trail = [("History of " + info["title"], href(history_page(info["key"]), out))]
        if item["kind"] == "version":
            title, article, links = render_version(item)
            head = banner(info, item["snapshot"], out)
            name = "%s (version)" % title
        else:
            article, links = render_diff(item), {"links": [], "sig": ""}
            head = banner(info, item["snapshot"], out, what="changes", version=item.get("version"))
            name = "%s (changes)" % info["title"]
        data = page_shell(name, head + article, out, trail, "history").encode("utf-8")
        write_atomic(os.path.join(_CTX["site"], out), data)
        results[out] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "digest": item["digest"],
                        "links": links["links"], "sig": links["sig"], "src": item.get("path")}
    return results
