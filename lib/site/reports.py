"""Report pages of the site: broken links, missing attachments and changes between snapshots."""
import html
import posixpath

from lib.site import nav
from lib.site.links import SKIPPED_RE
from lib.core.notion_names import db_stem, split_stem, title_of


def _link(index, src, from_out):
    out = index.out.get(src)
    if not out:
        return html.escape(src)
    return '<a href="%s">%s</a>' % (html.escape(index.href(out, from_out)), html.escape(src))


def broken_article(index, broken, missing, from_out):
    """Return the body of the broken-links page: one row per broken link or missing file."""
    parts = ["<p>%d broken links and %d missing attachments.</p>\n" % (len(broken), len(missing))]
    for heading, items in (("Broken links", broken), ("Missing attachments", missing)):
        if not items:
            continue
        parts.append("<h2>%s</h2>\n<table><thead><tr><th>Page</th><th>Link target</th></tr></thead><tbody>"
                     % heading)
        for item in items:
            parts.append("<tr><td>%s</td><td><code>%s</code></td></tr>\n"
                         % (_link(index, item["page"], from_out), html.escape(item["href"])))
        parts.append("</tbody></table>\n")
    return "".join(parts)


def _trail(index, rel, titles, from_out):
    """Return the breadcrumb trail (HTML) of a file, present or removed, as the site names its pages."""
    node = index.node_of(rel) if rel in index.kind else None
    if node is not None and node in index.parent:
        chain, rest = index.ancestors(node), []
    else:
        # An attachment belongs to its folder's page; a removed file to whatever is left of its folders.
        folder, rest = posixpath.dirname(rel), []
        while folder and folder not in index.dir_owner:
            rest.insert(0, split_stem(posixpath.basename(folder))[0])
            folder = posixpath.dirname(folder)
        owner = index.dir_owner.get(folder) if folder else None
        chain = index.ancestors(owner) + [owner] if owner else []
    crumbs = []
    for anc in chain:
        name = html.escape(nav.node_title(anc, titles))
        crumbs.append(name if anc.startswith("dir:") else
                      '<a href="%s">%s</a>' % (html.escape(index.href(index.out[anc], from_out)), name))
    return " / ".join(crumbs + [html.escape(name) for name in rest])


def _items(index, paths, titles, from_out, strip, present, diffs=None):
    """Return [(name html, kind, trail html)] for changed paths: one line per page, database or file.

    A moved path is an [old, new] pair: named as it is now, with the name it had before; `diffs` maps a
    page or database (its main file) to the page of its changes in this snapshot."""
    items, seen = [], set()
    for path in paths:
        before = None
        if isinstance(path, list):
            before, path = path
        rel = path[len(strip):] if strip and path.startswith(strip) else path
        if SKIPPED_RE.match(rel):
            continue        # Notion's own index of the export: the site writes its own
        lower = rel.lower()
        kind = "page" if lower.endswith(".md") else "database" if lower.endswith(".csv") else "file"
        key = db_stem(rel) if kind == "database" else rel
        if key in seen:
            continue        # a database's two CSVs are one database
        seen.add(key)
        if kind == "file":
            name = posixpath.basename(rel)
        else:
            name = titles.get(index.node_of(rel)) if rel in index.kind else None
            name = name or title_of(rel)
        label = html.escape(name)
        if present and rel in index.out:
            label = '<a href="%s">%s</a>' % (html.escape(index.href(index.out[rel], from_out)), label)
        if before is not None and title_of(before) != name:
            label += " (was %s)" % html.escape(title_of(before))
        diff = (diffs or {}).get(index.node_of(rel) if rel in index.kind else rel)
        if present and diff:
            label += ' <a class="diff-link" href="%s">diff</a>' % html.escape(index.href(diff, from_out))
        items.append((label, kind, _trail(index, rel, titles, from_out)))
    return items


def changes_article(index, changes, titles, snapshot, previous, from_out, strip="", diffs=None):
    """Return the body of the changes page: added, changed and removed pages, databases and files."""
    if changes is None:
        return "<p>No previous snapshot to compare with.</p>\n"
    parts = ["<p>From snapshot %s to %s.</p>\n" % (html.escape(str(previous.get("time", "?"))),
                                                  html.escape(str(snapshot.get("time", "?"))))]
    for what, heading in (("added", "Added"), ("changed", "Changed"), ("moved", "Renamed or moved"),
                          ("removed", "Removed")):
        items = _items(index, changes.get(what, []), titles, from_out, strip, what != "removed", diffs)
        parts.append("<h2>%s (%d)</h2>\n" % (heading, len(items)))
        if not items:
            continue
        parts.append('<ul class="changes">')
        for label, kind, trail in items:
            parts.append('<li>%s <span class="badge">%s</span>%s</li>'
                         % (label, kind, ' <small class="trail">in ' + trail + "</small>" if trail else ""))
        parts.append("</ul>\n")
    return "".join(parts)
