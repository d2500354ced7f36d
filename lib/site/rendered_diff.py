"""Two versions of a page compared as the site renders them: blocks added, removed, moved or changed (the changed
words marked inside them), unchanged stretches folded away, the result cleaned by nh3."""
import difflib
import re
from collections import Counter

import nh3

from lib.site.html_words import word_diff

CONTEXT = 1     # unchanged blocks shown on each side of a change; the rest fold
NEST_RE = re.compile(r"<(/?)(?:aside|details)\b", re.I)
TAG_RE = re.compile(r"<[^>]*>")
ALIKE = 0.5             # words two blocks share for one to be the other edited
MAX_COMPARED = 400      # block pairs compared in one changed region; past that, blocks pair in order
LABELS = {"changed": "changed", "added": "added", "removed": "removed", "moved": "moved here"}
# What the site's pages are made of (the renderer's own output and Notion's tags it keeps), and the marks.
TAGS = set(nh3.ALLOWED_TAGS) | {"input", "section", "aside", "details", "summary", "ins", "del"}
ATTRIBUTES = {"*": {"class", "id", "title", "role", "aria-label", "lang"},
              "a": {"href", "download"}, "img": {"src", "alt", "width", "height", "loading"},
              "input": {"type", "checked", "disabled"}, "td": {"align", "colspan", "rowspan"},
              "th": {"align", "colspan", "rowspan"}, "ol": {"start"}, "details": {"open"}}
SCHEMES = set(nh3.ALLOWED_URL_SCHEMES) | {"data"}


def units(blocks):
    """Join each block that opens a callout or toggle with the blocks up to its end: every unit is whole HTML."""
    out, current, depth = [], [], 0
    for block in blocks:
        for match in NEST_RE.finditer(block):
            depth += -1 if match.group(1) else 1
        current.append(block)
        if depth <= 0:
            out.append("".join(current))
            current, depth = [], 0
    if current:
        out.append("".join(current))
    return out


def _take(budget, block):
    """Spend one of `block` from a Counter; return whether there was one."""
    if budget[block] > 0:
        budget[block] -= 1
        return True
    return False


def block_changes(old, new):
    """Return [(status, old block, new block)] in reading order: status same, changed, added, removed, moved (a
    block that left one place and came back unchanged in another) or moved-from (where it left)."""
    ops = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    gone = Counter(old[i] for tag, i1, i2, _, _ in ops if tag != "equal" for i in range(i1, i2))
    came = Counter(new[j] for tag, _, _, j1, j2 in ops if tag != "equal" for j in range(j1, j2))
    moved_from, moved_to = gone & came, gone & came
    rows = []
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            rows += [("same", old[i], new[j]) for i, j in zip(range(i1, i2), range(j1, j2))]
            continue
        olds = [(block, _take(moved_from, block)) for block in old[i1:i2]]
        news = [(block, _take(moved_to, block)) for block in new[j1:j2]]
        rows += _region(olds, news)
    return rows


def _similar(a, b):
    """Return how alike two blocks read, 0 to 1, by their words."""
    return difflib.SequenceMatcher(None, TAG_RE.sub(" ", a).split(), TAG_RE.sub(" ", b).split()).ratio()


def _pairs(olds, news):
    """Return {old position: new position}: which block became which, in order on both sides.

    A block pairs with the most alike block after the last pair (an edited paragraph finds itself past a new
    one); those left between two pairs pair in order (a paragraph rewritten whole is still one block changed)."""
    anchors, start = [], 0
    if len(olds) * len(news) <= MAX_COMPARED:
        for i, block in enumerate(olds):
            scores = [(_similar(block, news[j]), -j) for j in range(start, len(news))]
            best = max(scores, default=(0, 0))
            if best[0] >= ALIKE:
                anchors.append((i, -best[1]))
                start = -best[1] + 1
    pairs, i0, j0 = {}, 0, 0
    for i, j in anchors + [(len(olds), len(news))]:
        pairs.update((i0 + k, j0 + k) for k in range(min(i - i0, j - j0)))
        if i < len(olds):
            pairs[i] = j
        i0, j0 = i + 1, j + 1
    return pairs


def _region(olds, news):
    """Return the rows of one changed region, both versions' blocks in their order: a block that stayed (not
    moved) and has a counterpart is one block changed, the rest removed or added."""
    rest_old = [i for i, (_, moved) in enumerate(olds) if not moved]
    rest_new = [j for j, (_, moved) in enumerate(news) if not moved]
    pairs = {rest_old[a]: rest_new[b] for a, b in _pairs([olds[i][0] for i in rest_old],
                                                         [news[j][0] for j in rest_new]).items()}
    paired_new = set(pairs.values())
    rows, i, j = [], 0, 0
    while i < len(olds) or j < len(news):
        if i < len(olds) and olds[i][1]:
            rows.append(("moved-from", olds[i][0], None))
            i += 1
        elif j < len(news) and news[j][1]:
            rows.append(("moved", None, news[j][0]))
            j += 1
        elif i < len(olds) and i not in pairs:
            rows.append(("removed", olds[i][0], None))
            i += 1
        elif j < len(news) and j not in paired_new:
            rows.append(("added", None, news[j][0]))
            j += 1
        else:
            # Pairs keep both orders: the next old block with a counterpart meets it here.
            rows.append(("changed", olds[i][0], news[j][0]))
            i, j = i + 1, j + 1
    return rows


def _fold(blocks):
    """Return a stretch of unchanged blocks folded behind a marker that opens it."""
    count = len(blocks)
    return ('<details class="diff-fold"><summary>%d unchanged block%s</summary>\n%s</details>\n'
            % (count, "" if count == 1 else "s", "".join(blocks)))


def _marked(status, body):
    return ('<div class="diff-block diff-%s"><span class="diff-badge">%s</span>\n%s</div>\n'
            % (status, LABELS[status], body))


def _shown(rows):
    """Return [(status, html)] of the rows, a changed block's words marked."""
    out = []
    for status, old, new in rows:
        if status == "changed":
            out.append((status, word_diff(old, new)))
        elif status == "moved-from":
            out.append((status, '<p class="diff-block diff-moved-from">A block moved from here.</p>\n'))
        else:
            out.append((status, new if old is None or status == "same" else old))
    return out


def rendered_diff(old_blocks, new_blocks, context=CONTEXT):
    """Return (html, counts): the new version with its changes marked block by block and word by word, long
    stretches of unchanged blocks folded; counts says how many blocks each status has."""
    shown = _shown(block_changes(units(old_blocks), units(new_blocks)))
    counts = Counter(status for status, _ in shown)
    parts, run = [], []
    for number, (status, body) in enumerate(shown + [("end", "")]):
        if status == "same":
            run.append(body)
            continue
        first, last = len(parts) == 0, status == "end"
        head = [] if first else run[:context]
        tail = [] if last else run[len(head):][-context:] if context else []
        hidden = run[len(head):len(run) - len(tail)]
        if len(hidden) < 2:
            head, hidden = run, []
        parts += head + ([_fold(hidden)] if hidden else []) + (tail if hidden else [])
        run = []
        if not last:
            parts.append(body if status == "moved-from" else _marked(status, body))
    changed = {k: counts[k] for k in ("changed", "added", "removed", "moved")}
    if not any(changed.values()):
        return "", dict(changed, same=counts["same"])
    return '<div class="rendered-diff">\n%s</div>\n' % clean("".join(parts)), dict(changed, same=counts["same"])


def _inline_images_only(element, attribute, value):
    """Keep a data: address only where the site writes one: an inline image's source."""
    if value[:5].lower() != "data:" or (element == "img" and attribute == "src" and value.startswith("data:image/")):
        return value
    return None


def clean(rendered):
    """Return HTML put back together from rendered pieces, cleaned by nh3 to the tags the site's pages hold."""
    return nh3.clean(rendered, tags=TAGS, attributes=ATTRIBUTES, link_rel=None, strip_comments=True,
                     url_schemes=SCHEMES, attribute_filter=_inline_images_only)


def summary(counts):
    """Return the sentence over a rendered diff: how many blocks changed, came, went, moved and stayed."""
    facts = ["%d %s" % (counts[k], k) for k in ("changed", "added", "removed", "moved") if counts.get(k)]
    same = counts.get("same", 0)
    return "Blocks: %s; %d unchanged." % (", ".join(facts) or "none changed", same)
