"""Search tokens and the packed index the browser decodes."""
import json

from lib.site.search import build_index, tokens


def decode(packed):
    ids, prev = [], 0
    for part in packed.split(","):
        prev += int(part, 36)
        ids.append(prev)
    return ids


def test_tokens_words_lowercase_without_link_targets():
    toks = tokens("# Hello World\n\nSee [the page](Other%20Page%20abc.md) and <aside>Callout</aside>.")
    assert {"hello", "world", "see", "the", "page", "callout"} <= set(toks)
    assert "other" not in toks and "aside" not in toks


def test_cjk_text_becomes_bigrams_and_characters():
    toks = set(tokens("東京で会議があります"))
    assert {"東京", "会議", "東", "議"} <= toks


def test_index_round_trips_page_numbers():
    entries = [(f"Page {n}", f"p{n}.html", "", ["common"] + (["rare"] if n in (3, 1500) else []))
               for n in range(2000)]
    text = build_index(entries)
    data = json.loads(text[len("window.SITE_SEARCH="):-2])
    assert decode(data["tokens"]["rare"]) == [3, 1500]
    assert decode(data["tokens"]["common"]) == list(range(2000))
    assert data["pages"][1500][:2] == ["Page 1500", "p1500.html"]
