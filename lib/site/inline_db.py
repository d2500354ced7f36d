"""A database a page links alone on its line, shown there: its first rows, in a script the page loads.

The rows live in a file of their own, rewritten with the database, so a page never goes stale when only
its database changed (and is not rendered again for it)."""
import hashlib
import html
import json

PREVIEW_DIR = "_site/db/"
PREVIEW_ROWS = 10


def preview_name(db_out):
    """Return the name of the preview script of the database page at site path `db_out`."""
    return hashlib.sha1(db_out.encode("utf-8")).hexdigest()[:16]


def preview_path(db_out):
    """Return the site path of the preview script of the database page at `db_out`."""
    return PREVIEW_DIR + preview_name(db_out) + ".js"


def preview_js(db_out, head, rows, total, title):
    """Return the preview script: the table's header cells `head` and first `rows` (HTML, links relative to the
    database page), the count of all rows and a link to the whole table."""
    link = html.escape(db_out.rpartition("/")[2])
    more = "All %s" % ("{:,} rows".format(total) if total != 1 else "1 row")
    body = ('<div class="table-wrap"><table class="database"><thead><tr>' + head + "</tr></thead><tbody>"
            + "".join(rows) + "</tbody></table></div>"
            + '<p class="db-meta"><a href="%s">%s of %s</a>%s</p>' % (
                link, more, html.escape(title), "" if total <= len(rows) else " (the first %d shown here)" % len(rows)))
    data = json.dumps({"out": db_out, "html": body}, ensure_ascii=False, separators=(",", ":"))
    return "window.SITE_DB_PREVIEW(" + json.dumps(preview_name(db_out)) + "," + data + ");\n"
