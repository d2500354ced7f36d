"""The history pages of the site: where they live, one page's versions, the snapshots overview, deleted pages."""
import html
from urllib.parse import quote

from lib.site.rendered_diff import summary
from lib.site.site_paths import SITE_DIR, relative
from lib.site.words import count, when

E = html.escape
HISTORY_DIR = SITE_DIR + "/history"
OVERVIEW = SITE_DIR + "/history.html"
DELETED = SITE_DIR + "/deleted.html"
DIFF_CSS = SITE_DIR + "/diff.css"
DIFF_FORMAT = "rendered-1"      # a diff page written in an older form is written again
KINDS = {"added": "added", "changed": "changed", "renamed": "renamed", "moved": "moved", "removed": "deleted"}


def history_page(key):
    """Return the site path of a page's history (folders of 256 keep each directory small in git)."""
    return "%s/%s/%s.html" % (HISTORY_DIR, key[:2], key)


def version_page(key, blob):
    """Return the site path of one version of a page, named by its content."""
    return "%s/%s/%s/%s.html" % (HISTORY_DIR, key[:2], key, blob[:16])


def diff_page(key, old_blob, new_blob):
    """Return the site path of the difference between two versions of a page."""
    return "%s/%s/%s/%s-%s.html" % (HISTORY_DIR, key[:2], key, old_blob[:12], new_blob[:12])


def href(target, from_out):
    """Return a relative, URL-safe href between two site paths."""
    return quote(relative(target, from_out), safe="/#")


def snapshot_label(snapshot):
    """Return how a snapshot is named in the site: its day as a person reads it (UTC) and its run id, which tells
    two snapshots of one day apart: '7 Dec 2026 (run 2026-12-07)'.

    Not its time: the promoted snapshot is dated when it was promoted, its commit when it was published a
    minute later, and the pages that name it must stay the same bytes once it is committed."""
    run, day = snapshot.get("run_id"), (snapshot.get("date") or "")[:10]
    return (when(day, with_time=False) if day else "") + (" (run %s)" % run if run else "")


def cli_hint(key, snapshot=None):
    """Return the commands that list this page's versions and write one back to disk."""
    at = (snapshot or {}).get("run_id") or ((snapshot or {}).get("commit") or "")[:12]
    hint = "<code>doit history --page %s</code> lists every version" % E(key)
    if at:
        hint += "; <code>doit recover --page %s --at %s --to DIR</code> writes this one back" % (E(key), E(at))
    return hint


def start_note(history):
    """Return the sentence that says where the history the site holds starts, and why there."""
    snaps = history["snapshots"]
    if not snaps:
        return "There is no snapshot yet."
    first = snapshot_label(snaps[0])
    if history.get("cut"):
        return ("History from %s: the older snapshots are not in this repository (a shallow fetch); %s."
                % (E(first), E(history["deeper"])))
    if history.get("first"):
        return "History from %s, the first snapshot." % E(first)
    return ("History from %s: the site keeps the last %d day%s (RENDER_HISTORY_DAYS); "
            "<code>doit history</code> reads further back." % (E(first), history["days"],
                                                                "" if history["days"] == 1 else "s"))


def rows_table(rows, from_out):
    """Return the table of a page's versions, newest first: snapshot, change, lines, links."""
    parts = ['<table class="history"><thead><tr><th>Snapshot</th><th>Change</th><th>Lines</th><th>Version</th>'
             "</tr></thead><tbody>\n"]
    for row in rows:
        links = []
        if row.get("view"):
            links.append('<a class="view" href="%s">view</a>' % E(href(row["view"], from_out)))
        if row.get("diff"):
            links.append('<a class="diff-link" href="%s">diff</a>' % E(href(row["diff"], from_out)))
        if row.get("unavailable"):
            links.append('<span class="muted">not in this repository</span>')
        lines = "" if row.get("added") is None else (
            '<span class="plus">+%d</span> <span class="minus">&minus;%d</span>' % (row["added"], row["removed"]))
        parts.append("<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n"
                     % (E(row["when"]), row["change"], lines, " &middot; ".join(links)))
    parts.append("</tbody></table>\n")
    return "".join(parts)


def history_article(info, rows, history, from_out):
    """Return the body of one page's history: what it is, the versions table, where history starts."""
    kind = "database" if info["type"] == "db" else "page"
    if info.get("current"):
        lead = 'History of the %s <a href="%s">%s</a>.' % (kind, E(href(info["current"], from_out)), E(info["title"]))
    else:
        lead = ('The %s <strong>%s</strong> was deleted from the workspace on %s; its last version is below.'
                % (kind, E(info["title"]), E(info["deleted"])))
    parts = ['<p class="history-lead">%s</p>\n' % lead]
    if rows:
        parts.append(rows_table(rows, from_out))
        parts.append('<p class="muted">%s</p>\n' % start_note(history))
    else:
        parts.append('<p>No change in the snapshots this site keeps: the %s is as it is now. '
                     '<a href="%s">All snapshots</a>.</p>\n' % (kind, E(href(OVERVIEW, from_out))))
    parts.append('<p class="muted">%s.</p>\n' % cli_hint(info["key"]))
    return "".join(parts)


def banner(info, snapshot, from_out, what="version", version=None):
    """Return the note over a version or a diff: which page, which snapshot, and the way back."""
    links = ['<a href="%s">history</a>' % E(href(history_page(info["key"]), from_out))]
    if info.get("current"):
        links.append('<a href="%s">the page now</a>' % E(href(info["current"], from_out)))
    if version:
        links.append('<a href="%s">the whole version</a>' % E(href(version, from_out)))
    text = ("%s of <strong>%s</strong> as the snapshot of %s holds it" % (what.capitalize(), E(info["title"]),
                                                                            E(snapshot_label(snapshot))))
    note = ("Links lead into the current snapshot; what is gone since shows as missing. " if what == "version" else "")
    return ('<aside class="history-banner"><p>%s. %s%s.</p><p>%s</p></aside>\n'
            % (text, note, cli_hint(info["key"], snapshot), " &middot; ".join(links)))


def diff_article(rendered, counts, source, from_out):
    """Return the body of a diff page: the page's changes as it renders (`counts` of its blocks; None for a
    database, whose rows are compared instead), then the source's line diff behind a toggle."""
    parts = ['<link rel="stylesheet" href="%s">\n' % E(href(DIFF_CSS, from_out))]
    if counts is not None:
        parts.append('<p class="diff-summary">%s</p>\n' % E(summary(counts)))
        if not rendered:
            parts.append('<p class="diff-none">The page reads the same in both versions: only its source changed '
                         "(below).</p>\n")
    parts.append(rendered)
    parts.append('<details class="source-diff"><summary>Source diff (%s, line by line)</summary>\n%s</details>\n'
                 % ("Markdown" if counts is not None else "CSV", source))
    return "".join(parts)


def overview_article(history, changed, from_out):
    """Return the body of the snapshots overview: each snapshot, newest first, and the pages it changed (each
    with its history, and the diff of that change when there is one)."""
    parts = ['<p>%s</p>\n' % start_note(history)]
    snaps = history["snapshots"]
    for number in range(len(snaps) - 1, -1, -1):
        items = changed.get(number, [])
        parts.append("<h2>%s</h2>\n" % E(snapshot_label(snaps[number])))
        if not items:
            parts.append('<p class="muted">%s</p>\n' % ("Where the history starts." if number == 0 else
                                                        "No page or database changed."))
            continue
        parts.append('<ul class="changes">')
        for title, kind, target, diff in items:
            link = ' <a class="diff-link" href="%s">diff</a>' % E(href(diff, from_out)) if diff else ""
            parts.append('<li><a href="%s">%s</a> <span class="badge">%s</span>%s</li>'
                         % (E(href(target, from_out)), E(title), E(KINDS.get(kind, kind)), link))
        parts.append("</ul>\n")
    return "".join(parts)


def deleted_article(deleted, history, from_out):
    """Return the body of the deleted-pages list: title, where it was, when it went, its last version."""
    if not deleted:
        return "<p>No page or database was deleted in the snapshots this site keeps.</p>\n<p class=\"muted\">%s</p>\n" \
               % start_note(history)
    parts = ["<p>%s deleted in the snapshots this site keeps, newest first.</p>\n"
             % count(len(deleted), "page or database", "pages and databases"),
             '<table class="history"><thead><tr><th>Title</th><th>Was in</th><th>Deleted</th><th></th></tr></thead>'
             "<tbody>\n"]
    for item in deleted:
        parts.append('<tr><td><a href="%s">%s</a></td><td>%s</td><td>%s</td><td><a href="%s">history</a></td></tr>\n'
                     % (E(href(item["last"], from_out)), E(item["title"]), E(item["trail"]), E(item["deleted"]),
                        E(href(history_page(item["key"]), from_out))))
    parts.append("</tbody></table>\n<p class=\"muted\">%s</p>\n" % start_note(history))
    return "".join(parts)
