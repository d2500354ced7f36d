"""Raw HTML and property values from generated input: nothing executable or remote gets through, text stays."""
import html
from html.parser import HTMLParser

from hypothesis import given, settings, strategies as st

from lib.site.links import SiteIndex
from lib.site.props import render_value
from lib.site.rawhtml import TAGS, sanitize_html
from lib.site.render import make_markdown, render_page
from tests.lib.site.site_fixtures import ident

TAG_NAMES = sorted(TAGS) + ["script", "iframe", "a", "style", "svg", "object", "form", "input", "math",
                            "IMG", "Aside", "body"]
ATTR_NAMES = ["src", "alt", "width", "open", "style", "onerror", "onload", "ONCLICK", "href", "srcset",
              "class", "id", "formaction", "xlink:href"]
VALUES = ["x", "javascript:alert(1)", "JaVaScRiPt:alert(1)", "https://evil.example/x.png", "//evil.example/x",
          "data:text/html;base64,PHNjcmlwdD4=", "data:image/png;base64,iVBORw0KGgo=", "Home/icon.png",
          "a\"b", "a'b", "&quot;onload=alert(1)", "40px", "icon.png onerror=alert(1)", ""]
# What may reach the page: the tags and attributes Notion's exporter writes and the renderer's own.
SAFE_TAGS = set(TAGS) | {"span", "p"}
SAFE_ATTRS = {"src", "alt", "width", "open", "class", "role", "aria-label", "title", "loading"}


@st.composite
def raw_html(draw):
    """A fragment of tags (allowed or not, well-formed or not) with attributes, between bits of text."""
    pieces = []
    for _ in range(draw(st.integers(1, 6))):
        name = draw(st.sampled_from(TAG_NAMES))
        attrs = "".join(" %s=%s" % (a, draw(st.sampled_from(['"%s"', "'%s'", "%s"])) % v)
                        for a, v in draw(st.lists(st.tuples(st.sampled_from(ATTR_NAMES), st.sampled_from(VALUES)),
                                                  max_size=3)))
        closing = draw(st.sampled_from(["", "/"]))
        pieces += [draw(st.text(max_size=8)), "<%s%s%s%s>" % (closing, name, attrs, draw(st.sampled_from(["", " /"])))]
    return "".join(pieces)


class Elements(HTMLParser):
    """Every element and attribute of an HTML fragment."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def elements(fragment):
    parser = Elements()
    parser.feed(fragment)
    parser.close()
    return parser.found


def renderer_for(tmp_path):
    (tmp_path / "Home").mkdir(exist_ok=True)
    (tmp_path / "Home" / "icon.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    index = SiteIndex([f"Home {ident('home')}.md", "Home/icon.png"])
    md, renderer = make_markdown()
    renderer.index, renderer.src, renderer.out = index, f"Home {ident('home')}.md", f"Home {ident('home')}.html"
    renderer.reset()
    return md, renderer, index


URL_ATTRS = {"href", "src", "srcset", "action", "formaction", "data", "poster", "xlink:href"}


@settings(max_examples=300, deadline=None)
@given(fragment=raw_html())
def test_raw_html_keeps_only_safe_tags_attributes_and_local_images(tmp_path_factory, fragment):
    _, renderer, _ = renderer_for(tmp_path_factory.mktemp("raw"))
    for out in (sanitize_html(fragment), sanitize_html(fragment, renderer.raw_image)):
        for tag, attrs in elements(out):
            assert tag in SAFE_TAGS, (fragment, out)
            assert set(attrs) <= SAFE_ATTRS, (fragment, out)
            if tag == "img":
                assert attrs["src"] == "Home/icon.png", (fragment, out)     # only a file of the site
            # A URL attribute is where a scheme runs; text attributes (title, alt, aria-label) only show it.
            assert not any("javascript:" in (v or "").lower() for k, v in attrs.items() if k in URL_ATTRS), out


@settings(max_examples=150, deadline=None)
@given(fragment=raw_html())
def test_whole_pages_with_raw_html_stay_safe(tmp_path_factory, fragment):
    md, renderer, index = renderer_for(tmp_path_factory.mktemp("page"))
    _, article, _ = render_page(md, renderer, "# T\n\n<aside>\n" + fragment + "\n\n</aside>\n",
                                f"Home {ident('home')}.md", index)
    for tag, attrs in elements(article):
        assert not any(name.lower().startswith("on") for name in attrs), article
        assert tag not in ("script", "iframe", "style", "object", "form", "svg"), article
        if tag == "img":
            assert attrs["src"] == "Home/icon.png", article


def visible(fragment):
    """Return the text a reader sees, images by their alt text."""
    class Text(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.text = []

        def handle_data(self, data):
            self.text.append(data)

        def handle_starttag(self, tag, attrs):
            if tag == "img":
                self.text.append(dict(attrs).get("alt", ""))
    parser = Text()
    parser.feed(fragment)
    return "".join(parser.text)


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(["Notes", "Phone", "Website", "Files & media", "Created"]), value=st.text(max_size=40))
def test_property_text_is_shown_as_written(tmp_path_factory, name, value):
    _, renderer, _ = renderer_for(tmp_path_factory.mktemp("prop"))
    out = render_value(name, value, renderer)
    assert {tag for tag, _ in elements(out)} <= {"a", "img", "span"}
    if "(" not in value and "." not in value:      # no relation, no file: the value itself, maybe linked
        assert html.unescape(visible(out)) == value


TITLE = st.text(st.characters(blacklist_characters=",()\n\r", blacklist_categories=("Cs",)), min_size=1,
                max_size=12).map(str.strip).filter(bool)


@settings(max_examples=200, deadline=None)
@given(titles=st.lists(TITLE, min_size=1, max_size=4))
def test_relations_are_links_and_keep_notions_separator(tmp_path_factory, titles):
    _, renderer, _ = renderer_for(tmp_path_factory.mktemp("rel"))
    value = ", ".join(f"{t} (Other%20{ident(t)}.md)" for t in titles)
    out = render_value("Related", value, renderer)
    assert visible(out) == ", ".join(titles)
    assert [tag for tag, _ in elements(out)] == ["a"] * len(titles)
