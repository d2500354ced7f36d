"""Search tokens of a page and the sharded prebuilt index the browser loads from file://, a part at a time."""
import itertools
import json
import re
import unicodedata
from array import array
from collections import Counter

WORD_RE = re.compile(r"\w+")
CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
MARKUP_RE = re.compile(r"\]\([^)]*\)|<[^>]{0,200}>")
ACCENT_RE = re.compile(r"[\u0300-\u036f]")
# Markdown punctuation that reads as noise in a snippet.
NOISE_RE = re.compile(r"(?m)^[ \t]*(?:#{1,6}|[-*+>]|\d+\.|\|?-{3,}.*)[ \t]|[*_`|\[\]]+|!\[")
B36 = "0123456789abcdefghijklmnopqrstuvwxyz"
EXCERPT = 400       # characters of a page's text kept for its search snippet
PER_SHARD = 50      # pages per part of the page list: a result list loads only the parts it shows
SHARD_BYTES = 48000  # a token part larger than this is split by one more character
FREQUENT = 3        # a word this many times in a page is what the page is about: it ranks above a mention
MARKS = ("", "+", "!", "!+")     # after a posting: frequent in the page, in its title, both
SEARCH_JS = "_site/search-index.js"
SHARD_DIR = "_site/search/"


def fold(text):
    """Return `text` with accents and case folded (NFKD, combining accents dropped): "Ñandú" -> "nandu".

    Recomposed afterwards so Hangul and kana (whose marks are not accents) stay whole; site.js folds alike."""
    text = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFC", ACCENT_RE.sub("", text)).lower()


def tokens(text):
    """Return the sorted distinct folded search tokens of `text`; CJK runs become character bigrams."""
    return weighed_tokens(text)[0]


def weighed_tokens(text):
    """Return (`tokens(text)`, the set of those words `text` holds FREQUENT times or more)."""
    # Whitespace never sits inside a word: split on it (in C), count the pieces that are one word already
    # (isalnum: what \w+ matches, without the underscore) and run the word pattern once on the others.
    pieces = fold(MARKUP_RE.sub(" ", text)).split()
    words = Counter([piece for piece in pieces if piece.isalnum()])
    words.update(WORD_RE.findall(" ".join([piece for piece in pieces if not piece.isalnum()])))
    frequent = {w for w, times in words.items() if times >= FREQUENT}
    if not CJK_RE.search(text):
        return sorted([w for w in words if 1 < len(w) <= 30 and w[0] != "_"]), frequent
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
    return sorted(out), frequent


def excerpt(text):
    """Return the start of a page's Markdown `text` as plain words, for a search result's snippet."""
    plain = NOISE_RE.sub(" ", MARKUP_RE.sub(" ", text[: EXCERPT * 2]))
    return " ".join(plain.split())[:EXCERPT]


def pack(text, toks, frequent=()):
    """Return what the build keeps of a page for search: its snippet text and its tokens (a '+' after those
    in `frequent`), in one string."""
    return excerpt(text).replace("\t", " ") + "\t" + " ".join(t + "+" if t in frequent else t for t in toks)


def unpack(packed):
    """Return (snippet text, [token, '+' after a frequent one]) of `pack`'s string, or of a bare token list."""
    if not isinstance(packed, str):
        return "", list(packed)
    text, tab, toks = packed.partition("\t")
    return (text, toks.split()) if tab else ("", packed.split())


def _b36(n):
    if n < SMALL:
        return _TABLE[n]
    digits = []
    while n:
        n, r = divmod(n, 36)
        digits.append(B36[r])
    return "".join(reversed(digits))


SMALL = 36 * 36
_TABLE = [B36[n // 36] + B36[n % 36] if n >= 36 else B36[n] for n in range(SMALL)]


def shard_of(tok, depth=2):
    """Return the name of the token part for `tok`'s first `depth` characters: their hex code points."""
    return "-".join("%x" % ord(c) for c in tok[:depth])


def _split(part, depth):
    """Yield (name, tokens) parts of `part` (tokens sharing `depth` first characters), a crowded one split
    again by one more character (its shorter tokens stay under the shorter name)."""
    size = sum(len(tok) + len(packed) + 6 for tok, packed in part.items())      # as JSON: "tok":"packed",
    if size <= SHARD_BYTES or depth >= 6:
        yield shard_of(next(iter(part)), depth), part
        return
    short, longer = {}, {}
    for tok, packed in part.items():
        (short if len(tok) <= depth else longer.setdefault(tok[:depth + 1], {}))[tok] = packed
    if short:
        yield shard_of(next(iter(short)), depth), short
    for sub in longer.values():
        yield from _split(sub, depth + 1)


def _script(name, data):
    return ("window.SITE_SEARCH_PART(" + json.dumps(name) + ","
            + json.dumps(data, ensure_ascii=False, separators=(",", ":")) + ");\n")


def search_files(entries):
    """Yield (site path, text) of the search index for entries, an iterable of (title, site path, trail, packed)
    with `packed` from `pack` (or a token list), each part as soon as it is complete.

    search-index.js names the parts; a page list part holds PER_SHARD pages' [title, path, trail, snippet]; a token
    part the postings of the tokens sharing two first characters (or more, see _split): page numbers
    delta-encoded in base 36, a trailing '!' where the token is in the page's title, '+' where the page holds
    it often. Postings are kept as machine integers (number * 4 + marks) while building, and each part's text is
    made and let go one prefix at a time: a 50,000-page site's index costs tens of MB, not its whole text.
    """
    postings, pages, count = {}, [], 0
    for number, (title, href, trail, packed) in enumerate(entries):
        text, toks = unpack(packed)
        pages.append([title, href, trail, text])
        if len(pages) == PER_SHARD:
            yield SHARD_DIR + "p-%d.js" % (number // PER_SHARD), _script("p-%d" % (number // PER_SHARD), pages)
            pages = []
        in_title = set(tokens(title))
        for tok in toks:
            weight = tok[-1] == "+"
            tok = tok[:-1] if weight else tok
            value = number * 4 + (tok in in_title) * 2 + weight
            hit = postings.get(tok)
            if hit is None:
                postings[tok] = array("I", (value,))
            else:
                hit.append(value)
        count = number + 1
    if pages:
        yield SHARD_DIR + "p-%d.js" % ((count - 1) // PER_SHARD), _script("p-%d" % ((count - 1) // PER_SHARD), pages)
    names = []
    for _, group in itertools.groupby(sorted(postings), key=lambda tok: tok[:2]):
        part = {tok: _encoded(postings.pop(tok)) for tok in group}
        for name, tokens_of in _split(part, 2):
            yield SHARD_DIR + "t-" + name + ".js", _script("t-" + name, tokens_of)
            names.append(name)
    head = {"pages": count, "per": PER_SHARD, "parts": sorted(names)}
    yield SEARCH_JS, "window.SITE_SEARCH=" + json.dumps(head, separators=(",", ":")) + ";\n"


def _encoded(values):
    """Return a token's postings as the index writes them: page numbers delta-encoded in base 36, with marks."""
    prev, out = 0, []
    for value in values:
        number = value >> 2
        delta = number - prev
        prev = number
        out.append((_TABLE[delta] if delta < SMALL else _b36(delta)) + MARKS[value & 3])
    return ",".join(out)
