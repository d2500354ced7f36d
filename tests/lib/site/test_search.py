"""Search tokens (folded), snippets, and the sharded index the browser decodes."""
import json

from hypothesis import given, strategies as st

from lib.site.search import (PER_SHARD, SEARCH_JS, SHARD_BYTES, SHARD_DIR, excerpt, fold, pack, search_files, shard_of,
                             tokens, unpack, weighed_tokens)
from tests.lib.site.searchindex import read_index


def decode(packed, often=False):
    """Return [(page number, in title)] of a token's postings (with often: [(page number, frequent)])."""
    ids, prev = [], 0
    for part in packed.split(","):
        prev += int(part.rstrip("!+"), 36)
        ids.append((prev, ("+" if often else "!") in part))
    return ids


def part(files, name):
    text = files[SHARD_DIR + name + ".js"]
    head = "window.SITE_SEARCH_PART(" + json.dumps(name) + ","
    assert text.startswith(head) and text.endswith(");\n")
    return json.loads(text[len(head):-3])


def test_tokens_words_lowercase_without_link_targets():
    toks = tokens("# Hello World\n\nSee [the page](Other%20Page%20abc.md) and <aside>Callout</aside>.")
    assert {"hello", "world", "see", "the", "page", "callout"} <= set(toks)
    assert "other" not in toks and "aside" not in toks


def test_accents_and_case_fold_as_a_person_types():
    assert tokens("Ñandú FACTS, Crème brûlée; Straße ﬁne") == [
        "brulee", "creme", "facts", "fine", "nandu", "straße"]
    assert fold("Ñandú") == "nandu"
    # Marks that are not accents stay: kana voicing and Hangul syllables survive the folding.
    assert fold("がっこう 한국") == "がっこう 한국"


@given(st.text(max_size=40))
def test_folding_is_idempotent_and_tokens_are_folded(text):
    assert fold(fold(text)) == fold(text)
    assert all(fold(tok) == tok for tok in tokens(text))


def test_cjk_text_becomes_bigrams_and_characters():
    toks = set(tokens("東京で会議があります"))
    assert {"東京", "会議", "東", "議"} <= toks


def test_snippet_text_drops_markdown_and_round_trips_with_tokens():
    text = "## Section\n\n- **bold** item with `code` and [a link](x%20y.md)\n| a | b |\n"
    assert excerpt(text) == "Section bold item with code and a link a b"
    assert unpack(pack(text, ["bold", "item"])) == (excerpt(text), ["bold", "item"])
    assert unpack(["only", "tokens"]) == ("", ["only", "tokens"])


def test_index_shards_postings_and_pages_and_marks_title_hits():
    entries = [(f"Page {n}" + (" rare" if n == 1500 else ""), f"p{n}.html", "", pack(f"text {n}", ["common"] + (
        ["rare"] if n in (3, 1500) else []) + (["page"] if n == 7 else []))) for n in range(2000)]
    files = dict(search_files(entries))
    head = json.loads(files[SEARCH_JS][len("window.SITE_SEARCH="):-2])
    assert head["pages"] == 2000 and head["per"] == PER_SHARD
    assert shard_of("rare") in head["parts"] and all(SHARD_DIR + "t-" + p + ".js" in files for p in head["parts"])
    assert decode(part(files, "t-" + shard_of("rare"))["rare"]) == [(3, False), (1500, True)]
    assert decode(part(files, "t-" + shard_of("common"))["common"]) == [(n, False) for n in range(2000)]
    assert decode(part(files, "t-" + shard_of("page"))["page"]) == [(7, True)]
    shard = part(files, "p-%d" % (1500 // PER_SHARD))
    assert shard[1500 % PER_SHARD] == ["Page 1500 rare", "p1500.html", "", "text 1500"]
    assert len([f for f in files if f.startswith(SHARD_DIR + "p-")]) == 2000 // PER_SHARD


def test_a_crowded_token_part_is_split_by_one_more_character(tmp_path):
    entries = [(f"Page {n}", f"p{n}.html", "", pack("", ["uniq%dx%d" % (n, k) for k in range(3)] + ["un"]))
               for n in range(3000)]
    files = dict(search_files(entries))
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    head = json.loads(files[SEARCH_JS][len("window.SITE_SEARCH="):-2])
    names = [n for n in head["parts"] if n.startswith(shard_of("un"))]
    assert shard_of("un") in names and shard_of("uniq2", 5) not in names and shard_of("uniq27", 6) in names
    assert all(len(files[SHARD_DIR + "t-" + n + ".js"]) <= SHARD_BYTES for n in names)
    pages, postings = read_index(tmp_path)
    assert len(postings) == 9001 and postings["uniq2999x2"] == [(2999, False)] and len(postings["un"]) == 3000


def test_a_word_the_page_repeats_is_marked_frequent_in_its_postings():
    toks, frequent = weighed_tokens("Bird, bird and BÍRD; one cat, two cats")
    assert toks == tokens("Bird, bird and BÍRD; one cat, two cats") and frequent == {"bird"}
    files = dict(search_files([("A", "a.html", "", pack("", toks, frequent)), ("Bird", "b.html", "", pack("", ["bird"]))]))
    assert decode(part(files, "t-" + shard_of("bird"))["bird"], often=True) == [(0, True), (1, False)]
    assert decode(part(files, "t-" + shard_of("bird"))["bird"]) == [(0, False), (1, True)]
    assert decode(part(files, "t-" + shard_of("cat"))["cat"], often=True) == [(0, False)]
