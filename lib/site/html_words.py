"""Word differences between two renderings of one block of a page: the new block's HTML with the words that
went marked <del> and the words that came marked <ins>, links, images and formatting kept as they render."""
import difflib
import html
from html.parser import HTMLParser

from lib.core.textdiff import WORD_RE

VOID = {"img", "br", "hr", "input", "wbr"}
# What makes two elements the same for a reader: where a link leads, which image shows, whether a box is ticked.
# Not an id (a heading's id follows its words) nor a tooltip (a broken link's title names its raw path).
SIGNIFICANT = {"a": ("href", "class"), "img": ("src",), "input": ("checked",), "code": ("class",),
               "span": ("class",), "td": ("align",), "th": ("align",), "ol": ("start",)}
# A line break right inside these is layout between blocks, not text: never marked, never written twice.
LAYOUT = {None, "ul", "ol", "table", "thead", "tbody", "tr", "dl", "section", "aside", "details", "blockquote"}
LONG = 4_000_000       # tokens compared pairwise past which difflib's popular-token heuristic is on
INS, DEL = '<ins class="diff-ins">', '<del class="diff-del">'


class _Element:
    """One element of a rendered block: what it is to a reader (key), its opening tag, and its identity."""

    __slots__ = ("key", "tag", "name", "ident")

    def __init__(self, key, tag, name, ident):
        self.key, self.tag, self.name, self.ident = key, tag, name, ident


class _Tokens(HTMLParser):
    """Split rendered HTML into words (and void elements), each with the elements it sits in."""

    def __init__(self, side):
        super().__init__(convert_charrefs=True)
        self.side, self.stack, self.tokens, self.count, self.filled = side, [], [], 0, []

    def _element(self, name, attrs):
        values = dict(attrs)
        key = (name,) + tuple((a in values, values.get(a)) for a in SIGNIFICANT.get(name, ()))
        self.count += 1
        return _Element(key, self.get_starttag_text(), name, (self.side, self.count))

    def handle_starttag(self, tag, attrs):
        element = self._element(tag, attrs)
        if tag in VOID:
            self._add(element.key, None, element)
            return
        self.stack.append(element)
        self.filled.append(False)

    def handle_startendtag(self, tag, attrs):
        element = self._element(tag, attrs)
        self._add(element.key, None, element)

    def handle_endtag(self, tag):
        if not any(e.name == tag for e in self.stack):
            return
        while self.stack:
            if not self.filled[-1]:
                self._add(("",), "", None)     # an empty element (a blank cell) keeps its place
            element = self.stack.pop()
            self.filled.pop()
            if element.name == tag:
                break

    def handle_data(self, data):
        for word in WORD_RE.findall(data):
            self._add((word,), word, None)

    def _add(self, key, text, void):
        stack = tuple(self.stack)
        self.filled = [True] * len(self.filled)
        # Compared by what a reader sees: the word, and what each element around it is.
        self.tokens.append(((key, tuple(e.key for e in stack)), text, void, stack))


def tokens_of(rendered, side):
    """Return the tokens of rendered HTML: (comparison key, word or None, void element or None, elements)."""
    parser = _Tokens(side)
    parser.feed(rendered)
    parser.close()
    return parser.tokens


def _matched(a, b):
    """Return difflib's opcodes turning key list `a` into `b`, the shared head and tail set aside first: one
    edit in a long table compares a few tokens, not every cell with every other (quadratic in difflib)."""
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    mid_a, mid_b = a[head:len(a) - tail], b[head:len(b) - tail]
    # A long middle lets difflib skip tokens found everywhere (spaces, empty cells) as anchors.
    matcher = difflib.SequenceMatcher(None, mid_a, mid_b, autojunk=len(mid_a) * len(mid_b) > LONG)
    ops = [("equal", 0, head, 0, head)] if head else []
    ops += [(tag, i1 + head, i2 + head, j1 + head, j2 + head) for tag, i1, i2, j1, j2 in matcher.get_opcodes()
            if i1 != i2 or j1 != j2]
    if tail:
        ops.append(("equal", len(a) - tail, len(a), len(b) - tail, len(b)))
    # The middle starts and ends where the two differ: no two "equal" opcodes meet.
    return ops


def _opcodes(old, new):
    """Return the opcodes over two token lists, white space between two changes made part of them."""
    ops = []
    for op in _matched([t[0] for t in old], [t[0] for t in new]):
        if len(ops) > 1 and ops[-1][0] == "equal" and ops[-2][0] != "equal" and op[0] != "equal" and \
                all(t[1] is not None and not t[1].strip() for t in old[ops[-1][1]:ops[-1][2]]):
            ops[-1] = ("replace",) + ops[-1][1:]
        ops.append(op)
    return ops


def kept_share(old, new, ops):
    """Return how much of the longer side's text the two have in common, 0 to 1."""
    def size(tokens):
        return sum(len(t[1].strip()) if t[1] is not None else 1 for t in tokens)
    kept = sum(size(old[i1:i2]) for tag, i1, i2, _, _ in ops if tag == "equal")
    return kept / max(size(old), size(new), 1)


def _aligned(old, new, ops):
    """Map each old element to the new element it stands for, from the words the two share."""
    same = {}
    for tag, i1, i2, j1, j2 in ops:
        if tag != "equal":
            continue
        for a, b in zip(old[i1:i2], new[j1:j2]):
            for x, y in zip(a[3], b[3]):
                if x.key != y.key:
                    break
                same.setdefault(x.ident, y)
    return same


class _Writer:
    """Write a run of tokens back as HTML, opening and closing elements as the words need them."""

    def __init__(self):
        self.parts, self.open, self.mark = [], [], None

    def _close_mark(self):
        if self.mark:
            self.parts.append("</ins>" if self.mark == "ins" else "</del>")
            self.mark = None

    def write(self, token, mark, same):
        """Write one token, marked 'ins', 'del' or None, inside its own elements."""
        stack = [same.get(e.ident, e) for e in token[3]]
        if mark and token[1] and "\n" in token[1] and not token[1].strip() and \
                (stack[-1].name if stack else None) in LAYOUT:
            if mark == "del":
                return
            mark = None
        depth = 0
        while depth < min(len(stack), len(self.open)) and stack[depth].ident == self.open[depth].ident:
            depth += 1
        if depth != len(self.open) or depth != len(stack) or mark != self.mark:
            self._close_mark()      # a mark is always the innermost element: it never straddles a tag
        for element in reversed(self.open[depth:]):
            self.parts.append("</%s>" % element.name)
        self.parts.extend(e.tag for e in stack[depth:])
        self.open = stack
        if mark != self.mark:
            self.parts.append(INS if mark == "ins" else DEL)
            self.mark = mark
        self.parts.append(token[2].tag if token[1] is None else html.escape(token[1], quote=False))

    def close(self):
        """Close what is still open; return the HTML."""
        self._close_mark()
        self.parts.extend("</%s>" % e.name for e in reversed(self.open))
        self.open = []
        return "".join(self.parts)


def word_diff(old_html, new_html, floor=0.4):
    """Return the block with the words that went marked <del> and those that came <ins>, in their places.

    A block rewritten so much that under `floor` of its text stays is shown as the old block struck out then
    the new one (a reader sees two sentences, not a mosaic of words)."""
    old, new = tokens_of(old_html, "o"), tokens_of(new_html, "n")
    ops = _opcodes(old, new)
    if kept_share(old, new, ops) < floor:
        ops = [("replace", 0, len(old), 0, len(new))]
    same, writer = _aligned(old, new, ops), _Writer()
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            for token in new[j1:j2]:
                writer.write(token, None, same)
            continue
        for token in old[i1:i2]:
            writer.write(token, "del", same)
        for token in new[j1:j2]:
            writer.write(token, "ins", same)
    return writer.close()
