"""Page shell, breadcrumbs, the sidebar data file and the index page of the site."""
import html
import posixpath
import re
from urllib.parse import quote

from lib.core.notion_names import split_stem, title_of
from lib.site.nav_parts import NAV_JS, nav_key
from lib.site.site_paths import SITE_DIR
from lib.site.words import count, when_html

ASSET_CSS = SITE_DIR + "/site.css"
ASSET_JS = SITE_DIR + "/site.js"
SITE_NAME = "Notion backup"


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
    """Return the breadcrumb trail of `node` as a list of (title, href or None, sidebar list key)."""
    trail = []
    for anc in index.ancestors(node):
        href = None if anc.startswith("dir:") else index.href(index.out[anc], out_rel)
        trail.append((node_title(anc, titles), href, nav_key(anc)))
    return trail


def tab_title(title):
    """Return a page's <title>: its own name, then the site's, so browser tabs tell pages and sites apart."""
    return title if title.startswith(SITE_NAME) else title + " \u00b7 " + SITE_NAME


def page_shell(title, article, out_rel, trail, kind="page", history=None, key=None):
    """Return the complete HTML document of one site page (with a History link to site path `history`).

    `trail` holds (title, href or None[, sidebar key]); `key` names the page's own list of children in the
    sidebar: the sidebar loads the lists these keys name (lib/site/nav_parts.py)."""
    root = root_prefix(out_rel)
    crumbs = ['<a href="%sindex.html">All pages</a>' % root]
    for name, href, *nav in trail:
        data = ' data-nav="%s"' % nav[0] if nav else ""
        crumbs.append('<a href="%s"%s>%s</a>' % (html.escape(href), data, html.escape(name)) if href
                      else "<span%s>%s</span>" % (data, html.escape(name)))
    return "".join([
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>", html.escape(tab_title(title)), "</title>",
        '<link rel="stylesheet" href="', root, ASSET_CSS, '"></head>\n',
        '<body data-root="', root, '" data-page="', html.escape(out_rel), '"',
        ' data-nav="%s"' % key if key else "", ' class="kind-', kind, '">\n',
        '<a class="skip" href="#content">Skip to content</a><header class="top">',
        '<button type="button" class="nav-toggle" aria-label="Pages" aria-controls="sidebar" aria-expanded="false">',
        '&#9776;</button><a class="home" href="', root, 'index.html">', SITE_NAME, '</a>',
        '<div class="search"><input type="search" id="search" placeholder="Search pages" aria-label="Search pages" ',
        'autocomplete="off" aria-controls="search-results"><ol id="search-results"></ol></div>',
        '</header>\n<nav id="sidebar" aria-label="Pages"></nav>\n<main id="content" tabindex="-1">',
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


def nav_nodes(index, titles):
    """Return the sidebar tree as a list of [title, output path, parent position, kind, node].

    Pages sort by natural title order. A database's rows (and their sub-pages) are left out: they belong in
    its table, and a habit tracker's hundreds of rows would bury the pages around it.
    """
    children = {}
    for node, parent in index.parent.items():
        if parent is None or index.kind.get(parent) != "db":
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
            kids.sort(key=lambda n: (natural(node_title(n, titles)), n), reverse=True)
            stack.extend(kids)
    pos = {node: i for i, node in enumerate(order)}
    out = []
    for node in order:
        parent = index.parent.get(node)
        kind = "dir" if node.startswith("dir:") else index.kind[node]
        path = "" if kind == "dir" else index.out[node]
        out.append([node_title(node, titles), path, pos[parent] if parent is not None else -1, kind, node])
    return out


TREE_LIMIT = 1500      # entries of the index page's static tree: its top levels, not 50,000 pages


def tree_html(nodes, limit=TREE_LIMIT):
    """Return the tree's top levels as nested static lists (the index page works without JS): the first
    `limit` entries level by level, and how many more each folder holds."""
    children = {}
    for i, node in enumerate(nodes):
        children.setdefault(node[2], []).append(i)
    shown, level = set(), [-1]
    while level and len(shown) < limit:
        level = [i for parent in level for i in children.get(parent, ())][:limit - len(shown)]
        shown.update(level)

    def _walk(parent):
        items = []
        for i in children.get(parent, ()):
            if i not in shown:
                continue
            title, path, _, kind, _ = nodes[i]
            label = (html.escape(title) if not path else
                     '<a href="%s">%s</a>' % (html.escape(quote(path, safe="/")), html.escape(title)))
            if kind == "db":
                label += ' <span class="badge">database</span>'
            items.append("<li>" + label + (_walk(i) if i in children else "") + "</li>")
        hidden = len(children.get(parent, ())) - len(items)
        if hidden:
            items.append('<li class="muted">{:,} more in the sidebar</li>'.format(hidden))
        return "<ul>" + "".join(items) + "</ul>" if items else ""

    return _walk(-1)


def index_article(nodes, counts, snapshot, broken_count, history=None):
    """Return the index page body: snapshot facts, counts, history (when kept) and the full page tree."""
    when = when_html((snapshot or {}).get("time"))
    run = html.escape(str((snapshot or {}).get("run_id") or ""))
    facts = [("Snapshot", when + (' <span class="run">(run ' + run + ")</span>" if run else "")),
             ("Pages", "{:,}".format(counts["pages"])), ("Databases", "{:,}".format(counts["databases"])),
             ("Attachments", "{:,}".format(counts["attachments"])),
             ("Broken links and missing files",
              '<a href="%s/broken-links.html">%s</a>' % (SITE_DIR, "{:,}".format(broken_count))),
             ("Changes", '<a href="%s/changes.html">since the previous snapshot</a>' % SITE_DIR)]
    if history is not None:
        snapshots = count(history["snapshots"], "snapshot")
        facts += [("History", '<a href="%s/history.html">%s</a>' % (SITE_DIR, snapshots)),
                  ("Deleted pages", '<a href="%s/deleted.html">%d</a>' % (SITE_DIR, history["deleted"]))]
    rows = "".join("<tr><th>%s</th><td>%s</td></tr>" % pair for pair in facts)
    return '<table class="properties summary">' + rows + "</table>\n<h2>All pages</h2>\n" + tree_html(nodes)
