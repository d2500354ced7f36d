"""Notion database CSVs as HTML tables whose title column links to the row pages."""
import csv
import html
import io
import posixpath

from lib.site.inline_db import PREVIEW_ROWS, preview_js
from lib.site.props import render_value
from lib.site.render import link_info
from lib.site.search import pack, tokens
from lib.site.words import count


def read_csv(path):
    """Return (header, rows) of a Notion CSV (UTF-8 with BOM)."""
    with open(path, "r", encoding="utf-8-sig", newline="") as handle:
        text = handle.read()
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return [], []
    return rows[0], rows[1:]


def rows_elsewhere(index, titles):
    """Return {title: [row page]} of every database row page of the export, for linked views' rows."""
    out = {}
    for node in sorted(index.parent):
        parent = index.parent[node]
        if parent is not None and index.kind.get(parent) == "db" and index.kind.get(node) == "page":
            out.setdefault(titles.get(node, "").strip(), []).append(node)
    return out


def match_rows(header, rows, row_pages, titles, props, elsewhere=None):
    """Map CSV row positions to row pages by title; namesakes are told apart by their properties.

    Rows are first matched to the database's own row pages; the rest (a linked view's rows live under
    the source database's folder) to a row page of the same title anywhere in `elsewhere`.
    """
    free = {}
    for rel in row_pages:
        free.setdefault(titles.get(rel, "").strip(), []).append(rel)
    matched, taken = {}, set()
    for pool in (free, elsewhere):
        if not pool:
            continue
        for i, row in enumerate(rows):
            if i in matched or not row:
                continue
            candidates = [p for p in pool.get(row[0].strip(), ()) if p not in taken]
            if candidates:
                matched[i] = _best(candidates, dict(zip(header, row)), props)
                taken.add(matched[i])
    return matched


def _best(candidates, cells, props):
    """Return the candidate row page whose properties agree with most of the row's cells."""
    if len(candidates) == 1:
        return candidates[0]
    return max(candidates, key=lambda rel: sum(1 for k, v in props.get(rel, {}).items()
                                               if cells.get(k, "").strip() == v))


def render_database(entry, index, titles, official_dir, renderer, props=None, elsewhere=None):
    """Return (article html, info) for one database entry of `index.dbs`; info["preview"] is the script a page
    showing it inline loads."""
    main = entry["main"]
    out = entry["out"]
    header, rows = read_csv(posixpath.join(str(official_dir), main))
    row_pages = [n for n in index.children.get(main, ()) if index.kind.get(n) == "page"]
    matched = match_rows(header, rows, row_pages, titles, props or {}, elsewhere)
    renderer.index, renderer.src, renderer.out = index, main, out
    renderer.reset()
    parts = ['<p class="db-meta">%s' % count(len(rows), "row")]
    for label, rel in (("all rows", entry["all"]), ("current view", entry["csv"])):
        if rel:
            parts.append(' &middot; <a class="attachment" href="%s" download>CSV (%s)</a>'
                         % (html.escape(index.href(rel, out)), label))
    parts.append("</p>\n")
    head = "".join("<th>" + html.escape(h) + "</th>" for h in header)
    parts.append('<div class="table-wrap"><table class="database"><thead><tr>' + head + "</tr></thead><tbody>\n")
    first = len(parts)
    for i, row in enumerate(rows):
        cells = []
        for j, cell in enumerate(row):
            if j == 0 and i in matched:
                href = index.href(index.out[matched[i]], out)
                body = '<a href="%s">%s</a>' % (html.escape(href), html.escape(cell) or "Untitled")
            else:
                body = render_value(header[j] if j < len(header) else "", cell, renderer)
            cells.append("<td>" + body + "</td>")
        parts.append("<tr>" + "".join(cells) + "</tr>\n")
    preview = preview_js(out, head, parts[first:first + PREVIEW_ROWS], len(rows), titles.get(main, ""))
    parts.append("</tbody></table></div>\n")
    unmatched = [p for p in row_pages if p not in matched.values()]
    if unmatched:
        parts.append("<h2>Row pages not in the table</h2><ul>")
        for rel in unmatched:
            parts.append('<li><a href="%s">%s</a></li>' % (html.escape(index.href(index.out[rel], out)),
                                                         html.escape(titles.get(rel, rel))))
        parts.append("</ul>\n")
    info = link_info(renderer)
    info["rows"], info["missing"], info["preview"] = len(rows), renderer.missing, preview
    text = " ".join([titles.get(main, "")] + header + [cell for row in rows for cell in row])
    info["tokens"] = pack(" ".join(" ".join(row) for row in rows[:20]), tokens(text))
    return "".join(parts), info
