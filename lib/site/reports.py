"""Report pages of the site: broken links, missing attachments and changes between snapshots."""
import html
import posixpath

from lib.site.paths import title_from_path

KINDS = (("page", ".md"), ("database", ".csv"))


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


def snapshot_changes(snapshot, previous):
    """Return {'added','removed','changed'} lists of paths between two snapshot manifests."""
    if not previous or not snapshot:
        return None
    old = {f["path"]: f.get("sha256") for f in previous.get("files", [])}
    new = {f["path"]: f.get("sha256") for f in snapshot.get("files", [])}
    return {"added": sorted(set(new) - set(old)), "removed": sorted(set(old) - set(new)),
            "changed": sorted(p for p in set(new) & set(old) if new[p] != old[p])}


def changes_article(index, changes, titles, snapshot, previous, from_out, strip=""):
    """Return the body of the changes page, grouped into pages, databases and other files."""
    if changes is None:
        return "<p>No previous snapshot to compare with.</p>\n"
    parts = ["<p>From snapshot %s to %s.</p>\n" % (html.escape(str(previous.get("time", "?"))),
                                                  html.escape(str(snapshot.get("time", "?"))))]
    for what in ("added", "changed", "removed"):
        paths = changes[what]
        parts.append("<h2>%s (%d)</h2>\n" % (what.capitalize(), len(paths)))
        if not paths:
            continue
        parts.append("<ul>")
        for path in paths:
            rel = path[len(strip):] if strip and path.startswith(strip) else path
            label = "page" if rel.endswith(".md") else "database" if rel.endswith(".csv") else "file"
            name = titles.get(rel) or title_from_path(rel)
            if what != "removed" and rel in index.out:
                item = '<a href="%s">%s</a>' % (html.escape(index.href(index.out[rel], from_out)),
                                                 html.escape(name))
            else:
                item = html.escape(name)
            parts.append('<li>%s <span class="badge">%s</span> <small>%s</small></li>'
                         % (item, label, html.escape(posixpath.dirname(rel))))
        parts.append("</ul>\n")
    return "".join(parts)
