"""Search tokens of a page and the compact prebuilt index the browser loads from file://."""
import json
import re
from array import array

WORD_RE = re.compile(r"\w+")
CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
MARKUP_RE = re.compile(r"\]\([^)]*\)|<[^>]{0,200}>")
B36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def tokens(text):
    """Return the sorted distinct search tokens of `text`; CJK runs become character bigrams."""
    words = set()
    # Whitespace never sits inside a word: split on it (in C), look for words only in the distinct
    # pieces, and run the word pattern only on the pieces that are not one word already.
    for piece in set(MARKUP_RE.sub(" ", text).lower().split()):
        if piece.isalnum():  # what \w+ matches, without the underscore
            words.add(piece)
        else:
            words.update(WORD_RE.findall(piece))
    if not CJK_RE.search(text):
        return sorted([w for w in words if 1 < len(w) <= 30 and w[0] != "_"])
    out = set()
    for word in words:
        if CJK_RE.search(word):
            chars = [c for c in word if CJK_RE.match(c)]
            out.update(chars)
            out.update(a + b for a, b in zip(chars, chars[1:]))
            word = CJK_RE.sub(" ", word)
            out.update(w for w in word.split() if 1 < len(w) <= 30)
        elif 1 < len(word) <= 30 and not word.startswith("_"):
            out.add(word)
    return sorted(out)


def _b36(n):
    if n < SMALL:
        return _TABLE[n]
    if n == 0:
        return "0"
    digits = []
    while n:
        n, r = divmod(n, 36)
        digits.append(B36[r])
    return "".join(reversed(digits))


SMALL = 36 * 36
_TABLE = [B36[n // 36] + B36[n % 36] if n >= 36 else B36[n] for n in range(SMALL)]


def build_index(entries):
    """Return the search-index.js text for entries, an iterable of (title, site path, trail, tokens).

    Postings are page numbers, delta-encoded in base 36 and joined by ',' to keep the file small. Entries are
    read one at a time and postings kept as machine integers: a 50,000-page site's index costs tens of MB.
    """
    postings = {}
    pages = []
    for number, (title, href, trail, toks) in enumerate(entries):
        pages.append([title, href, trail])
        for tok in toks:
            hit = postings.get(tok)
            if hit is None:
                postings[tok] = array("I", (number,))
            else:
                hit.append(number)
    packed = {}
    table = _TABLE
    for tok in sorted(postings):
        ids = postings[tok]
        deltas = [ids[0]] + [b - a for a, b in zip(ids, ids[1:])]
        packed[tok] = ",".join([table[d] if d < SMALL else _b36(d) for d in deltas])
    data = {"pages": pages, "tokens": packed}
    return "window.SITE_SEARCH=" + json.dumps(data, ensure_ascii=False, separators=(",", ":")) + ";\n"
