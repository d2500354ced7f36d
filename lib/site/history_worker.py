"""Render earlier versions and diffs of pages in a worker process and write their HTML files."""
import hashlib
import html
import os

from lib.site.diff_html import parse_csv, table_diff, text_diff
from lib.site.history_pages import banner, diff_article, history_page, href
from lib.site.nav import page_shell
from lib.core.notion_names import title_of
from lib.site.rendered_diff import clean, rendered_diff
from lib.site.props import render_value
from lib.site.render import BlockRenderer, link_info, make_markdown, page_parts
from lib.site.state import link_sig
from lib.site.worker import write_atomic
from lib.core.textdiff import as_text

_CTX = {}


def init_history_worker(ctx):
    """Keep the build context (the current site's index) and one Markdown parser in this process."""
    _CTX.clear()
    _CTX.update(ctx)
    # Blocks one by one: a version joins them, a diff compares them.
    _CTX["md"], _CTX["renderer"] = make_markdown(BlockRenderer)
    _CTX["renderer"].titles = ctx["titles"]


def csv_table(data, renderer):
    """Return a database version as an HTML table, cells rendered as the site renders them."""
    header, rows = parse_csv(data)
    parts = ['<p class="db-meta">%d rows</p>\n<div class="table-wrap"><table class="database"><thead><tr>' % len(rows)]
    parts += ["<th>%s</th>" % html.escape(h) for h in header]
    parts.append("</tr></thead><tbody>\n")
    for row in rows:
        cells = [render_value(header[j] if j < len(header) else "", cell, renderer) for j, cell in enumerate(row)]
        parts.append("<tr>" + "".join("<td>%s</td>" % c for c in cells) + "</tr>\n")
    parts.append("</tbody></table></div>\n")
    return "".join(parts)


def render_version(item):
    """Return (title, article, links info) of one earlier version of a page or database."""
    renderer, index = _CTX["renderer"], _CTX["index"]
    path, out = item["path"], item["out"]
    if item["type"] == "db":
        renderer.index, renderer.src, renderer.out = index, path, out
        renderer.reset()
        article, info = csv_table(item["text"], renderer), link_info(renderer)
        return title_of(path), article, info
    title, parts, info = _page_parts(item["text"], path, out)
    return title, "".join(parts), info


def _page_parts(data, path, out):
    """Return (title, [top-level blocks], links info) of one version of a page, rendered as the site does."""
    md, renderer, index = _CTX["md"], _CTX["renderer"], _CTX["index"]
    src = index.node_of(path) if path in index.kind else None
    is_row = src is not None and index.kind.get(index.parent.get(src)) == "db"
    return page_parts(md, renderer, as_text(data), path, index, is_row, out=out)


def render_diff(item):
    """Return (article, links info) of the difference between two versions of a page or database: rendered
    (rows for a database), the source's line diff behind a toggle."""
    out, source = item["out"], text_diff(item["old"], item["new"])[0]
    index, renderer = _CTX["index"], _CTX["renderer"]
    if item["type"] == "db":
        renderer.index, renderer.src, renderer.out = index, item["path"], out
        renderer.reset()
        table = table_diff(item["old"], item["new"], lambda column, value: render_value(column, value, renderer))[0]
        table = clean(table)
        links = sorted(renderer.links)
        return diff_article(table, None, source, out), {"links": links, "sig": link_sig(index, links, item["path"])}
    sides = []
    for data, path in ((item["old"], item.get("old_path") or item["path"]), (item["new"], item["path"])):
        title, parts, info = _page_parts(data, path, out)
        sides.append((['<h1 class="diff-title">%s</h1>\n' % html.escape(title)] + parts, info["links"]))
    body, counts = rendered_diff(sides[0][0], sides[1][0])
    links = sorted(set(sides[0][1]) | set(sides[1][1]))
    # Checked later against the new version's place, as the history build checks every page it keeps.
    return diff_article(body, counts, source, out), {"links": links, "sig": link_sig(index, links, item["path"])}


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
            article, links = render_diff(item)
            head = banner(info, item["snapshot"], out, what="changes", version=item.get("version"))
            name = "%s (changes)" % info["title"]
        data = page_shell(name, head + article, out, trail, "history").encode("utf-8")
        write_atomic(os.path.join(_CTX["site"], out), data)
        results[out] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "digest": item["digest"],
                        "links": links["links"], "sig": links["sig"], "src": item.get("path")}
    return results
