"""Rendered diffs: words marked inside links and formatting, every word of both versions kept, blocks added,
removed, moved and folded; Files & media written from the export's root resolve to the file."""
import re
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.site.diff_html import table_diff
from lib.site.html_words import word_diff
from lib.site.links import SiteIndex
from lib.site.render import BlockRenderer, make_markdown, page_parts, render_page
from lib.site.rendered_diff import block_changes, rendered_diff, units
from tests.fakes.export_pages import csv_bytes

WORDS = st.sampled_from(["alpha", "beta", "gamma", "delta", "Café", "<b>", "a&b", "x", "déjà", "1"])
SEGMENTS = st.lists(st.tuples(st.sampled_from(["text", "strong", "link", "link2", "img"]),
                              st.lists(WORDS, min_size=1, max_size=3)), min_size=1, max_size=6)
VOID = {"img", "br", "hr", "input"}
INLINE = {"a", "strong", "em", "code", "del", "ins", "span", "sup", "sub", "s", "u", "mark", "b", "i", "kbd"}


def paragraph(segments):
    """Return a paragraph as the site renders one: text, bold, links to two targets, an image."""
    parts = []
    for kind, words in segments:
        text = " ".join(words).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        parts.append({"text": text, "strong": "<strong>%s</strong>" % text,
                      "link": '<a href="a%%20b.html">%s</a>' % text, "link2": '<a href="c.html">%s</a>' % text,
                      "img": '<img src="i.png" alt="%s" />' % text}[kind])
    return "<p>" + " ".join(parts) + "</p>\n"


class Side(HTMLParser):
    """Read one side back from a marked block: its text (and images), leaving out the other side's marks."""

    def __init__(self, skip):
        super().__init__(convert_charrefs=True)
        self.skip, self.depth, self.text, self.stack = skip, 0, [], []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            if not self.depth:
                self.text.append("[%s]" % dict(attrs).get("src"))
            return
        if tag not in INLINE:
            self.text.append(" ")       # a block's edge separates words as the browser shows them
        self.stack.append(tag)
        if (tag == self.skip and dict(attrs).get("class") == "diff-" + tag) or self.depth:
            self.depth += 1

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, "tags nest"
        self.stack.pop()
        if tag not in INLINE:
            self.text.append(" ")
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            self.text.append(data)


def side(marked, skip):
    parser = Side(skip)
    parser.feed(marked)
    parser.close()
    assert parser.stack == []
    return "".join(parser.text)


@given(SEGMENTS, SEGMENTS)
def test_a_marked_block_holds_both_versions_word_for_word(old, new):
    old_html, new_html = paragraph(old), paragraph(new)
    marked = word_diff(old_html, new_html)
    assert words(side(marked, "del")) == words(side(new_html, None))
    assert words(side(marked, "ins")) == words(side(old_html, None))
    if old_html == new_html:
        assert "diff-ins" not in marked and "diff-del" not in marked


def test_a_link_whose_title_changed_keeps_its_words_and_marks_the_new_ones():
    marked = word_diff('<p>See <a href="Date.html">Date</a> for more words here</p>',
                       '<p>See <a href="Date.html">Date v2</a> for more words here</p>')
    assert marked == '<p>See <a href="Date.html">Date<ins class="diff-ins"> v2</ins></a> for more words here</p>'


def test_a_link_to_another_page_shows_the_old_title_struck_and_the_new_one_inserted():
    marked = word_diff('<p>See <a href="old.html">Old page</a> for more words here</p>',
                       '<p>See <a href="new.html">New page</a> for more words here</p>')
    assert '<a href="old.html"><del class="diff-del">Old page</del></a>' in marked
    assert '<a href="new.html"><ins class="diff-ins">New page</ins></a>' in marked


def test_changed_words_in_a_list_item_stay_in_that_item():
    marked = word_diff("<ul>\n<li>one two three</li>\n<li>four five six</li>\n</ul>\n",
                       "<ul>\n<li>one two three</li>\n<li>four seven six</li>\n<li>new item</li>\n</ul>\n")
    assert marked.count("<li>") == 3
    assert '<li>four <del class="diff-del">five</del><ins class="diff-ins">seven</ins> six</li>' in marked


def test_a_rewritten_paragraph_shows_the_old_text_struck_then_the_new():
    marked = word_diff("<p>the cat sat on the mat</p>", "<p>Edited on day 1: gamma beta delta</p>")
    assert marked == ('<p><del class="diff-del">the cat sat on the mat</del></p>'
                      '<p><ins class="diff-ins">Edited on day 1: gamma beta delta</ins></p>')


BLOCKS = st.lists(st.sampled_from(["<p>a</p>\n", "<p>b</p>\n", "<h2>c</h2>\n", "<p>d e f</p>\n", "<p>g</p>\n",
                                   '<aside>\n', "<p>in</p>\n", "</aside>\n"]), max_size=12)


@given(BLOCKS, BLOCKS)
def test_every_block_of_both_versions_is_accounted_for(old, new):
    rows = block_changes(old, new)
    assert [o for s, o, _ in rows if s in ("same", "changed", "removed", "moved-from")] == old
    assert [n for s, _, n in rows if s in ("same", "changed", "added", "moved")] == new
    body, counts = rendered_diff(old, new)
    assert (body == "") == (old == new or not any(counts[k] for k in ("changed", "added", "removed", "moved")))


def test_unchanged_stretches_fold_and_a_moved_block_is_marked_where_it_went():
    old = ["<p>block %d</p>\n" % n for n in range(10)]
    new = old[:1] + old[2:8] + ["<p>block 1</p>\n", "<p>block 8 and more</p>\n", old[9]]
    body, counts = rendered_diff(old, new)
    assert counts == {"changed": 1, "added": 0, "removed": 0, "moved": 1, "same": 8}
    assert '<summary>4 unchanged blocks</summary>' in body
    assert re.search(r'diff-moved"><span class="diff-badge">moved here</span>\s*<p>block 1</p>', body)
    assert "A block moved from here." in body


def test_a_callout_is_one_block_and_markup_outside_the_site_is_dropped():
    old = ["<aside>\n", "<p>note</p>\n", "</aside>\n", "<p>x</p>\n"]
    new = ["<aside>\n", "<p>note changed</p>\n", "</aside>\n",
           '<p onclick="x()">x <script>y</script><a href="data:text/html,z">z</a>'
           '<img src="data:image/png;base64,AA" /></p>\n']
    body, counts = rendered_diff(old, new)
    assert counts["changed"] == 2
    assert "<aside>" in body and "onclick" not in body and "<script" not in body
    assert 'src="data:image/png;base64,AA"' in body and "data:text" not in body


def test_a_database_cell_shows_its_links_with_the_changed_words_marked():
    old = csv_bytes(["Name", "Link"], [["Apollo", "https://example.com/a"]])
    new = csv_bytes(["Name", "Link"], [["Apollo", "https://example.com/b"]])
    body = table_diff(old, new, lambda column, value: '<a href="%s">%s</a>' % (value, value))[0]
    assert '<a href="https://example.com/a"><del class="diff-del">https://example.com/a</del></a>' in body
    assert '<a href="https://example.com/b"><ins class="diff-ins">https://example.com/b</ins></a>' in body


NAMES = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="/\\%#?"),
                min_size=1, max_size=12).map(str.strip).filter(lambda s: s not in ("", ".", ".."))


@given(NAMES, NAMES, st.booleans())
def test_files_named_from_the_export_root_resolve_from_a_database_in_its_own_folder(title, name, wrapped):
    ident = "0123456789abcdef0123456789abcdef"
    top = "Export-1234/" if wrapped else ""
    folder = "%s%s %s" % (top, title, ident)
    csv = "%s/%s %s_all.csv" % (folder, title, ident)
    image = "%s/%s.jpeg" % (folder, name)
    index = SiteIndex([csv, image, "%s/%s %s.csv" % (folder, title, ident)])
    written = quote(image[len(top):], safe="/&")       # as Notion writes it: from the export's root
    assert index.resolve(written, csv)[:2] == ("asset", image)
    beside = quote(image[len(folder) + 1:])               # and as older exports do: from the CSV's folder
    assert index.resolve(beside, csv)[:2] == ("asset", image)


MARKDOWN = st.lists(st.sampled_from([
    "plain words here", "**bold words** and *italic*", "`code & <tag>`", "[Page](Page%20one.md)",
    "[Page two](Page%20two.md)", "- item one\n- item two", "- [x] done task\n- [ ] open task", "1. first\n2. second",
    "| a | b |\n|---|:-:|\n| 1 | 2 |",
    "```py\nx = '<b>'\n```", "## A heading", "> quoted words", "<aside>\n💡 a callout\n</aside>", "line<br>break",
    "![pic](image%201.png)", "footnote[^1]\n\n[^1]: the note", "~~struck~~ text", "---"]), min_size=1, max_size=5)


def words(text):
    return " ".join(text.split())


@pytest.fixture(scope="module")
def blocks_of():
    md, renderer = make_markdown(BlockRenderer)
    index = SiteIndex(["Home.md", "Page one.md", "image 1.png"])

    def render(chunks):
        return page_parts(md, renderer, "# Home\n\n" + "\n\n".join(chunks) + "\n", "Home.md", index)[1]
    return render


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(MARKDOWN, MARKDOWN)
def test_blocks_the_site_renders_are_marked_word_for_word_and_nest(blocks_of, old, new):
    old_blocks, new_blocks = blocks_of(old), blocks_of(new)
    for status, before, after in block_changes(units(old_blocks), units(new_blocks)):
        if status == "changed":
            marked = word_diff(before, after)
            # Line breaks between a list's items are layout, written once: compared as the browser shows text.
            assert words(side(marked, "del")) == words(side(after, None))
            assert words(side(marked, "ins")) == words(side(before, None))
    body, _ = rendered_diff(old_blocks, new_blocks)
    side(body, None)                                        # every tag closed where it was opened


def test_an_edited_block_past_a_new_one_is_found_as_itself():
    old = ["<p>keep this</p>\n", "<p>the quick brown fox jumps over the dog</p>\n", "<p>end</p>\n"]
    new = ["<p>keep this</p>\n", "<p>a brand new paragraph</p>\n", "<p>the quick brown fox leaps over the dog</p>\n",
           "<p>end</p>\n"]
    rows = block_changes(old, new)
    assert [s for s, _, _ in rows] == ["same", "added", "changed", "same"]
    assert rows[2][1] == old[1]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(MARKDOWN)
def test_blocks_joined_are_the_page_the_site_renders(blocks_of, chunks):
    md, renderer = make_markdown()
    index = SiteIndex(["Home.md", "Page one.md", "image 1.png"])
    page = render_page(md, renderer, "# Home\n\n" + "\n\n".join(chunks) + "\n", "Home.md", index)[1]
    assert "".join(blocks_of(chunks)) == page
