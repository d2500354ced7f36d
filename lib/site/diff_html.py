"""Differences between two versions as HTML: a page's text with words added and removed highlighted, a
database's table compared row by row."""
import csv
import html
import io

from lib.core.textdiff import as_text, hunks, word_ops
from lib.site.html_words import word_diff

E = html.escape


def _words(ops, side):
    """Return one side of a line edited in place, the words that changed marked <del> or <ins>."""
    out = []
    for tag, old, new in ops:
        piece = old if side == "old" else new
        if not piece:
            continue
        if tag == "equal":
            out.append(E(piece))
        else:
            out.append(("<del>%s</del>" if side == "old" else "<ins>%s</ins>") % E(piece))
    return "".join(out)


def _row(cls, old_no, new_no, text_html, sign):
    return ('<tr class="%s"><td class="ln">%s</td><td class="ln">%s</td><td class="sign">%s</td>'
            '<td class="text">%s</td></tr>' % (cls, old_no or "", new_no or "", sign, text_html))


def text_diff(old, new):
    """Return (html, added, removed): the changed lines of two texts in context, words marked inside them."""
    parts, added, removed = [], 0, 0
    for number, rows in enumerate(hunks(old, new)):
        if number:
            parts.append('<tr class="gap"><td colspan="4">&#8942;</td></tr>')
        for kind, old_no, new_no, content in rows:
            if kind == "same":
                parts.append(_row("same", old_no, new_no, E(content), ""))
            elif kind == "del":
                removed += 1
                parts.append(_row("del", old_no, "", "<del>%s</del>" % E(content), "&minus;"))
            elif kind == "add":
                added += 1
                parts.append(_row("add", "", new_no, "<ins>%s</ins>" % E(content), "+"))
            else:
                removed, added = removed + 1, added + 1
                parts.append(_row("del", old_no, "", _words(content, "old"), "&minus;"))
                parts.append(_row("add", "", new_no, _words(content, "new"), "+"))
    if not parts:
        return '<p class="diff-none">The text is the same in both versions.</p>\n', 0, 0
    body = '<table class="diff text-diff"><tbody>%s</tbody></table>\n' % "".join(parts)
    return body, added, removed


def parse_csv(data):
    """Return (header, rows) of a CSV version (Notion's UTF-8 with BOM)."""
    rows = list(csv.reader(io.StringIO(as_text(data or b""))))
    return (rows[0], rows[1:]) if rows else ([], [])


def _keyed(header, rows):
    """Return [(key, {column: value})]: a row is known by its first cell and how many rows before shared it."""
    seen, out = {}, []
    for row in rows:
        first = row[0] if row else ""
        seen[first] = seen.get(first, 0) + 1
        out.append(((first, seen[first]), {h: (row[i] if i < len(row) else "") for i, h in enumerate(header)}))
    return out


def table_changes(old, new):
    """Return how a table changed, row by row: {columns, added_columns, removed_columns, rows}, where rows is
    [(status, values)] in the new table's order (then removed rows), status added, removed, changed or same;
    a changed row's values are {column: (old, new)}."""
    old_header, old_rows = parse_csv(old)
    new_header, new_rows = parse_csv(new)
    before = dict(_keyed(old_header, old_rows))
    columns = list(new_header) + [h for h in old_header if h not in new_header]
    rows = []
    for key, values in _keyed(new_header, new_rows):
        prior = before.pop(key, None)
        if prior is None:
            rows.append(("added", values))
            continue
        pairs = {c: (prior.get(c, ""), values.get(c, "")) for c in columns}
        rows.append(("changed" if any(a != b for a, b in pairs.values()) else "same", pairs))
    rows += [("removed", values) for key, values in before.items()]
    return {"columns": columns, "added_columns": [h for h in new_header if h not in old_header],
            "removed_columns": [h for h in old_header if h not in new_header], "rows": rows}


def _plain(column, value):
    return E(value)


def _cell(status, value, column, render):
    if status != "changed":
        return render(column, value)
    old, new = value
    if old == new:
        return render(column, new)
    if render is _plain:
        ops = word_ops(old, new)
        return '<span class="was">%s</span> <span class="now">%s</span>' % (_words(ops, "old"), _words(ops, "new"))
    # As the site shows the cell (links, files), the words that went and came marked in place.
    return word_diff(render(column, old), render(column, new), floor=0)


def table_diff(old, new, render=_plain):
    """Return (html, rows added, rows removed, rows changed) comparing two versions of a database's CSV;
    `render(column, value)` gives a cell's HTML (its text, escaped, unless told otherwise)."""
    change = table_changes(old, new)
    counts = {s: sum(1 for status, _ in change["rows"] if status == s) for s in ("added", "removed", "changed", "same")}
    facts = ["%d rows added" % counts["added"], "%d removed" % counts["removed"], "%d changed" % counts["changed"],
             "%d unchanged (not shown)" % counts["same"]]
    for label in ("added_columns", "removed_columns"):
        if change[label]:
            facts.append("columns %s: %s" % (label.split("_")[0], ", ".join(change[label])))
    parts = ['<p class="diff-summary">%s</p>\n' % E("; ".join(facts))]
    shown = [(s, v) for s, v in change["rows"] if s != "same"]
    if shown:
        head = "".join("<th>%s</th>" % E(c) for c in change["columns"])
        parts.append('<div class="table-wrap"><table class="diff table-diff"><thead><tr><th>Row</th>%s</tr></thead>'
                     "<tbody>" % head)
        for status, values in shown:
            cells = "".join("<td>%s</td>" % _cell(status, values.get(c, ("", "") if status == "changed" else ""),
                                                  c, render) for c in change["columns"])
            parts.append('<tr class="%s"><td class="status">%s</td>%s</tr>\n' % (status, status, cells))
        parts.append("</tbody></table></div>\n")
    return "".join(parts), counts["added"], counts["removed"], counts["changed"]
