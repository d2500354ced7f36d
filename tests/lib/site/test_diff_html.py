"""Diffs as the site shows them: every row of both tables accounted for, cells escaped, words marked."""
import csv
import io
import re

from hypothesis import given, strategies as st

from lib.site.diff_html import table_changes, table_diff, text_diff

CELLS = st.sampled_from(["", "Done", "Todo", "a, b", "<b>x</b>", "Café", "line\nbreak", "1", "2", "\"q\""])
COLUMNS = st.lists(st.sampled_from(["Name", "Status", "Tags", "Owner", "Due"]), min_size=1, max_size=4, unique=True)


def as_csv(header, rows):
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


@st.composite
def tables(draw):
    header = draw(COLUMNS)
    rows = draw(st.lists(st.lists(CELLS, min_size=len(header), max_size=len(header)), max_size=8))
    return header, rows


@given(tables(), tables())
def test_every_row_of_both_tables_is_accounted_for(old, new):
    change = table_changes(as_csv(*old), as_csv(*new))
    count = {s: sum(1 for status, _ in change["rows"] if status == s) for s in ("added", "removed", "changed", "same")}
    assert count["added"] + count["changed"] + count["same"] == len(new[1])
    assert count["removed"] + count["changed"] + count["same"] == len(old[1])
    for status, values in change["rows"]:
        if status == "same":
            assert all(a == b for a, b in values.values())
    body, added, removed, changed = table_diff(as_csv(*old), as_csv(*new))
    assert (added, removed, changed) == (count["added"], count["removed"], count["changed"])
    assert "<b>" not in body


def test_a_changed_cell_shows_what_it_was_and_is():
    old = as_csv(["Name", "Status"], [["Apollo", "Active"], ["Gemini", "Done"]])
    new = as_csv(["Name", "Status", "Owner"], [["Apollo", "Done"], ["Mercury", "Active", "Ada"]])
    body, added, removed, changed = table_diff(old, new)
    assert (added, removed, changed) == (1, 1, 1)
    assert '<span class="was"><del>Active</del></span> <span class="now"><ins>Done</ins></span>' in body
    assert "columns added: Owner" in body


def test_namesake_rows_are_matched_in_order():
    old = as_csv(["Name", "N"], [["Same", "1"], ["Same", "2"]])
    new = as_csv(["Name", "N"], [["Same", "1"], ["Same", "3"]])
    change = table_changes(old, new)
    assert [s for s, _ in change["rows"]] == ["same", "changed"]


def test_a_text_diff_marks_changed_words_and_escapes_markup():
    body, added, removed = text_diff("# T\n\nkeep <b>this</b> line\nold words here\n", "# T\n\nkeep <b>this</b> line\nnew words here\n")
    assert (added, removed) == (1, 1)
    assert "<del>old</del>" in body and "<ins>new</ins>" in body and "&lt;b&gt;" in body
    assert re.search(r'<tr class="same"><td class="ln">3</td><td class="ln">3</td>', body)
    assert text_diff("same\n", "same\n")[0].startswith('<p class="diff-none">')
