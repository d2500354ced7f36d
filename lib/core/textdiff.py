"""Line and word differences between two versions of a text: counts for history lists, hunks for diff pages."""
import difflib
import re

# Words, runs of white space and single other characters: a changed word never drags its neighbours along.
WORD_RE = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
CONTEXT = 3


def as_text(data):
    """Return bytes decoded as UTF-8 (a BOM dropped, bad bytes replaced), or a str unchanged."""
    if isinstance(data, str):
        return data
    return data.decode("utf-8-sig", errors="replace")


def text_lines(text):
    """Return the lines of a text without their line ends ('' has no lines)."""
    return as_text(text).splitlines()


def _matcher(old, new):
    # autojunk off: a page's frequent lines (blank ones, '---') are content, not noise to skip.
    return difflib.SequenceMatcher(None, old, new, autojunk=False)


def line_stats(old, new):
    """Return (lines added, lines removed) going from text `old` to text `new` (either may be None)."""
    old_lines, new_lines = text_lines(old or ""), text_lines(new or "")
    if old_lines == new_lines:
        return 0, 0
    added = removed = 0
    for tag, i1, i2, j1, j2 in _matcher(old_lines, new_lines).get_opcodes():
        if tag != "equal":
            removed += i2 - i1
            added += j2 - j1
    return added, removed


def word_ops(old_line, new_line):
    """Return [(tag, old piece, new piece)] turning `old_line` into `new_line` word by word.

    Joining the old pieces gives `old_line` back, joining the new pieces gives `new_line`. A line rewritten
    so much that under 40% of it stays is one replacement (a reader sees two sentences, not a mosaic of words), and the
    spaces between two changed words belong to the change.
    """
    old_words, new_words = WORD_RE.findall(old_line), WORD_RE.findall(new_line)
    matcher = _matcher(old_words, new_words)
    kept = sum(len("".join(old_words[i:i + n]).strip()) for i, _, n in matcher.get_matching_blocks())
    if kept * 5 < 2 * max(len(old_line.strip()), len(new_line.strip())):
        return [("replace", old_line, new_line)] if old_line != new_line else [("equal", old_line, new_line)]
    ops = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        old, new = "".join(old_words[i1:i2]), "".join(new_words[j1:j2])
        if len(ops) > 1 and ops[-1][0] == "equal" and not ops[-1][1].strip() and ops[-2][0] != "equal" \
                and tag != "equal":
            space, before = ops.pop(), ops.pop()
            tag, old, new = "replace", before[1] + space[1] + old, before[2] + space[2] + new
        ops.append((tag, old, new))
    return ops


def hunks(old, new, context=CONTEXT):
    """Return the differing parts of two texts as hunks of rows, with `context` unchanged lines around each.

    A row is (kind, old line number or None, new line number or None, content): kind 'same', 'del' or 'add'
    with the line as content, or 'change' with the word_ops of a line edited in place.
    """
    old_lines, new_lines = text_lines(old or ""), text_lines(new or "")
    out = []
    for group in _matcher(old_lines, new_lines).get_grouped_opcodes(context):
        rows = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows += [("same", i + 1, j1 + n + 1, old_lines[i]) for n, i in enumerate(range(i1, i2))]
                continue
            paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
            rows += [("change", i1 + n + 1, j1 + n + 1, word_ops(old_lines[i1 + n], new_lines[j1 + n]))
                     for n in range(paired)]
            rows += [("del", i + 1, None, old_lines[i]) for i in range(i1 + paired, i2)]
            rows += [("add", None, j + 1, new_lines[j]) for j in range(j1 + paired, j2)]
        out.append(rows)
    return out
