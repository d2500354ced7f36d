"""Read a built site's sharded search index back: its pages and postings, as the browser decodes them."""
import json
from pathlib import Path

from lib.site.search import SEARCH_JS, SHARD_DIR


def _part(path):
    text = Path(path).read_text(encoding="utf-8")
    name, _, data = text[len("window.SITE_SEARCH_PART("):-3].partition(",")
    return json.loads(name), json.loads(data)


def read_index(site):
    """Return (pages [[title, path, trail, snippet]], {token: [(page number, in title)]}) of a site."""
    site = Path(site)
    head = json.loads((site / SEARCH_JS).read_text(encoding="utf-8")[len("window.SITE_SEARCH="):-2])
    pages, postings = [None] * head["pages"], {}
    for path in sorted((site / SHARD_DIR).glob("*.js")):
        name, data = _part(path)
        if name.startswith("p-"):
            first = int(name[2:]) * head["per"]
            pages[first:first + len(data)] = data
        else:
            assert name[2:] in head["parts"]
            for tok, packed in data.items():
                prev, hits = 0, []
                for item in packed.split(","):
                    prev += int(item.rstrip("!+"), 36)
                    hits.append((prev, "!" in item))
                postings[tok] = hits
    assert None not in pages and len(pages) == head["pages"]
    return pages, postings


def titles_found(site, word):
    """Return the titles of the pages whose tokens hold `word`."""
    pages, postings = read_index(site)
    return [pages[n][0] for n, _ in postings.get(word, ())]
