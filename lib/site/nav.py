"""Page shell, breadcrumbs, the sidebar data file and the index page of the site."""
import html
import json
import posixpath
import re
from urllib.parse import quote

from lib.core.notion_names import split_stem, title_of
from lib.site.site_paths import SITE_DIR

ASSET_CSS = SITE_DIR + "/site.css"
ASSET_JS = SITE_DIR + "/site.js"
NAV_JS = SITE_DIR + "/nav.js"
SEARCH_JS = SITE_DIR + "/search-index.js"


def root_prefix(out_rel):
    """Return the relative prefix ('../' per level) from an output file to the site root."""
    return "../" * out_rel.count("/")


def node_title(node, titles):
    """Return the display title of a nav node (page, database or plain folder)."""
    if node.startswith("dir:"):
        name = node[4:]
        if "/" not in name and name.startswith("Export-"):
            return "Workspace export"
        # A folder whose page is not in the export ('My Links <32hex>/' alone): named as its page would be.
        return split_stem(posixpath.basename(name))[0]
    return titles.get(node) or title_of(node)


def breadcrumbs(index, node, titles, out_rel):
    """Return the breadcrumb trail of `node` as a list of (title, href or None)."""
    trail = []
    for anc in index.ancestors(node):
        href = None if anc.startswith("dir:") else index.href(index.out[anc], out_rel)
        trail.append((node_title(anc, titles), href))
    return trail


def page_shell(title, article, out_rel, trail, kind="page", history=None):
    """Return the complete HTML document of one site page (with a History link to site path `history`)."""
    root = root_prefix(out_rel)
    crumbs = ['<a href="%sindex.html">All pages</a>' % root]
    for name, href in trail:
        crumbs.append('<a href="%s">%s</a>' % (html.escape(href), html.escape(name)) if href
                      else "<span>%s</span>" % html.escape(name))
    return "".join([
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>", html.escape(title), "</title>",
        '<link rel="stylesheet" href="', root, ASSET_CSS, '"></head>\n',
        '<body data-root="', root, '" data-page="', html.escape(out_rel), '" class="kind-', kind, '">\n',
        '<header class="top">',
        '<button type="button" class="nav-toggle" aria-label="Show pages">&#9776;</button>',
        '<a class="home" href="', root, 'index.html">Notion backup</a>',
        '<div class="search"><input type="search" id="search" placeholder="Search pages" ',
        'aria-label="Search pages" autocomplete="off"><ol id="search-results"></ol></div></header>\n',
        '<nav id="sidebar" aria-label="Pages"></nav>\n<main>',
        '<nav class="breadcrumbs" aria-label="Breadcrumbs">', " / ".join(crumbs),
        '<a class="history-link" href="%s%s">History</a>' % (root, html.escape(history)) if history else "", "</nav>\n",
        '<article><h1 class="page-title">', html.escape(title), "</h1>\n", article, "</article></main>\n",
        '<script src="', root, NAV_JS, '"></script><script src="', root, ASSET_JS, '"></script>\n',
        "</body></html>\n",
    ])


def natural(text):
    """Return a sort key that orders 'Area 3' before 'Area 28'."""
    # isdecimal, not isdigit: "²" is a digit that int() refuses, and a page may be titled "²".
    return [(0, int(p), "") if p.isdecimal() else (1, 0, p) for p in re.split(r"(\d+)", text.lower()) if p]


def nav_nodes(index, titles, rows=None):
    """Return the sidebar tree as a list of [title, output path, parent position, kind].

    Pages sort by natural title order; a database's rows keep `rows[database]`, its table's order.
    """
    children = {}
    for node, parent in index.parent.items():
        children.setdefault(parent, []).append(node)
    # Depth first, each node's children sorted once: one sort per folder instead of comparing whole
    # ancestor chains.
    order, stack = [], [None]
    while stack:
        node = stack.pop()
        if node is not None:
            order.append(node)
        kids = children.get(node)
        if kids:
            place = {row: i for i, row in enumerate((rows or {}).get(node, ()))}
            kids.sort(key=lambda n: (place.get(n, len(place)), natural(node_title(n, titles)), n), reverse=True)
            stack.extend(kids)
    pos = {node: i for i, node in enumerate(order)}
    out = []
    for node in order:
        parent = index.parent.get(node)
        kind = "dir" if node.startswith("dir:") else index.kind[node]
        path = "" if kind == "dir" else index.out[node]
        out.append([node_title(node, titles), path, pos[parent] if parent is not None else -1, kind])
    return out


def nav_js(nodes):
    """Return the JavaScript file that carries the sidebar tree."""
    dirs, rows = {}, []
    for title, path, parent, kind in nodes:
        # Folders are listed once: node paths share long folder prefixes.
        folder, _, base = path.rpartition("/")
        rows.append([title, dirs.setdefault(folder, len(dirs)), base, parent, kind])
    data = {"dirs": list(dirs), "nodes": rows}
    return "window.SITE_NAV=" + json.dumps(data, ensure_ascii=False, separators=(",", ":")) + ";\n"


def tree_html(nodes):
    """Return the whole tree as nested static lists (the index page works without JS)."""
    children = {}
    for i, node in enumerate(nodes):
        children.setdefault(node[2], []).append(i)

    def _walk(parent, depth):
        items = []
        for i in children.get(parent, ()):
            title, path, _, kind = nodes[i]
            label = (html.escape(title) if not path else
                     '<a href="%s">%s</a>' % (html.escape(quote(path, safe="/")), html.escape(title)))
            if kind == "db":
                label += ' <span class="badge">database</span>'
            sub = _walk(i, depth + 1) if i in children else ""
            items.append("<li>" + label + sub + "</li>")
        return "<ul>" + "".join(items) + "</ul>" if items else ""

    return _walk(-1, 0)


def index_article(nodes, counts, snapshot, broken_count, history=None):
    """Return the index page body: snapshot facts, counts, history (when kept) and the full page tree."""
    when = html.escape(str((snapshot or {}).get("time") or "unknown"))
    run = html.escape(str((snapshot or {}).get("run_id") or ""))
    facts = [("Snapshot", when + (" (run " + run + ")" if run else "")),
             ("Pages", str(counts["pages"])), ("Databases", str(counts["databases"])),
             ("Attachments", str(counts["attachments"])),
             ("Broken links and missing files",
              '<a href="%s/broken-links.html">%d</a>' % (SITE_DIR, broken_count)),
             ("Changes", '<a href="%s/changes.html">since the previous snapshot</a>' % SITE_DIR)]
    if history is not None:
        facts += [("History", '<a href="%s/history.html">%d snapshots</a>' % (SITE_DIR, history["snapshots"])),
                  ("Deleted pages", '<a href="%s/deleted.html">%d</a>' % (SITE_DIR, history["deleted"]))]
    rows = "".join("<tr><th>%s</th><td>%s</td></tr>" % pair for pair in facts)
    return '<table class="properties summary">' + rows + "</table>\n<h2>All pages</h2>\n" + tree_html(nodes)
