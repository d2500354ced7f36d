"""Line counts, word changes and hunks between two texts: each side can be read back from what they report."""
from hypothesis import given, strategies as st

from lib.core.textdiff import hunks, line_stats, text_lines, word_ops

WORDS = st.sampled_from(["alpha", "beta", "gamma", "Ünïcode", "会议", "", "  ", "x.", "[link](a%20b.md)", "-", "1"])
LINES = st.lists(st.lists(WORDS, max_size=6).map(" ".join), max_size=12)
TEXTS = LINES.map("\n".join)


@given(TEXTS)
def test_a_text_against_itself_adds_and_removes_nothing(text):
    assert line_stats(text, text) == (0, 0)
    assert hunks(text, text) == []


@given(TEXTS)
def test_a_new_page_adds_every_line_and_a_deleted_one_removes_them(text):
    assert line_stats(None, text) == (len(text_lines(text)), 0)
    assert line_stats(text, None) == (0, len(text_lines(text)))


@given(TEXTS, TEXTS)
def test_counts_add_up_to_the_change_in_length(old, new):
    added, removed = line_stats(old, new)
    assert added - removed == len(text_lines(new)) - len(text_lines(old))
    assert 0 <= added <= len(text_lines(new)) and 0 <= removed <= len(text_lines(old))


@given(LINES.map(" ".join), LINES.map(" ".join))
def test_word_ops_give_both_lines_back(old, new):
    ops = word_ops(old, new)
    assert "".join(o for _, o, _ in ops) == old
    assert "".join(n for _, _, n in ops) == new
    assert all(o == n for tag, o, n in ops if tag == "equal")


def test_a_changed_word_is_marked_alone_and_a_rewritten_line_whole():
    assert word_ops("the quick brown fox jumps", "the quick red fox jumps") == [
        ("equal", "the quick ", "the quick "), ("replace", "brown", "red"), ("equal", " fox jumps", " fox jumps")]
    assert word_ops("one two three", "four five six seven") == [("replace", "one two three", "four five six seven")]
    # Two changed words with a space between them are one change, not two with a space kept.
    assert ("replace", "brown fox", "red cat") in word_ops("the quick brown fox jumps over", "the quick red cat jumps over")


@given(TEXTS, TEXTS)
def test_hunks_with_all_context_are_both_texts(old, new):
    rows = [row for hunk in hunks(old, new, context=10 ** 6) for row in hunk]
    if not rows:
        assert text_lines(old) == text_lines(new)
        return
    olds = [c if kind != "change" else "".join(o for _, o, _ in c) for kind, o_no, _, c in rows if o_no]
    news = [c if kind != "change" else "".join(n for _, _, n in c) for kind, _, n_no, c in rows if n_no]
    assert olds == text_lines(old) and news == text_lines(new)
    assert [r[1] for r in rows if r[1]] == list(range(1, len(olds) + 1))


def test_bytes_are_read_as_utf8_without_the_bom():
    assert line_stats("\ufeffa\nb".encode("utf-8"), b"a\nc") == (1, 1)
