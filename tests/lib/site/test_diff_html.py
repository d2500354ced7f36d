"""Diffs as the site shows them: every row of both tables accounted for, cells escaped, words marked."""
import re

from hypothesis import given
from hypothesis import strategies as st

from lib.site.diff_html import table_changes, table_diff, text_diff
from tests.fakes.export_pages import csv_bytes

CELLS = st.sampled_from(["", "Done", "Todo", "a, b", "<b>x</b>", "Café", "line\nbreak", "1", "2", "\"q\""])
COLUMNS = st.lists(st.sampled_from(["Name", "Status", "Tags", "Owner", "Due"]), min_size=1, max_size=4, unique=True)


@st.composite
def tables(draw):
    header = draw(COLUMNS)
    rows = draw(st.lists(st.lists(CELLS, min_size=len(header), max_size=len(header)), max_size=8))
    return header, rows


@given(tables(), tables())
def test_every_row_of_both_tables_is_accounted_for(old, new):
    change = table_changes(csv_bytes(*old), csv_bytes(*new))
    count = {s: sum(1 for status, _ in change["rows"] if status == s) for s in ("added", "removed", "changed", "same")}
    assert count["added"] + count["changed"] + count["same"] == len(new[1])
    assert count["removed"] + count["changed"] + count["same"] == len(old[1])
    for status, values in change["rows"]:
        if status == "same":
            assert all(a == b for a, b in values.values())
    body, added, removed, changed = table_diff(csv_bytes(*old), csv_bytes(*new))
    assert (added, removed, changed) == (count["added"], count["removed"], count["changed"])
    assert "<b>" not in body


def test_a_changed_cell_shows_what_it_was_and_is():
    old = csv_bytes(["Name", "Status"], [["Apollo", "Active"], ["Gemini", "Done"]])
    new = csv_bytes(["Name", "Status", "Owner"], [["Apollo", "Done"], ["Mercury", "Active", "Ada"]])
    body, added, removed, changed = table_diff(old, new)
    assert (added, removed, changed) == (1, 1, 1)
    assert '<span class="was"><del>Active</del></span> <span class="now"><ins>Done</ins></span>' in body
    assert "columns added: Owner" in body


def test_namesake_rows_are_matched_in_order():
    old = csv_bytes(["Name", "N"], [["Same", "1"], ["Same", "2"]])
    new = csv_bytes(["Name", "N"], [["Same", "1"], ["Same", "3"]])
    change = table_changes(old, new)
    assert [s for s, _ in change["rows"]] == ["same", "changed"]


def test_a_text_diff_marks_changed_words_and_escapes_markup():
    body, added, removed = text_diff("# T\n\nkeep <b>this</b> line\nold words here\n", "# T\n\nkeep <b>this</b> line\nnew words here\n")
    assert (added, removed) == (1, 1)
    assert "<del>old</del>" in body and "<ins>new</ins>" in body and "&lt;b&gt;" in body
    assert re.search(r'<tr class="same"><td class="ln">3</td><td class="ln">3</td>', body)
    assert text_diff("same\n", "same\n")[0].startswith('<p class="diff-none">')
