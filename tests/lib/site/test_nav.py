"""Sidebar data, breadcrumbs and the page shell."""
import json

from lib.site.links import SiteIndex
from hypothesis import given, settings, strategies as st

from lib.site.nav import breadcrumbs, nav_nodes, page_shell, tree_html
from lib.site.nav_parts import CHUNK, NAV_JS, PART_DIR, nav_files, nav_key, part_of
from tests.lib.site.site_fixtures import ident


def index_of(*paths):
    return SiteIndex(list(paths))


def test_siblings_sort_naturally_and_children_follow_parents():
    idx = index_of(f"Area 10 {ident('a10')}.md", f"Area 9 {ident('a9')}.md", f"Area 9/Sub {ident('s')}.md")
    nodes = nav_nodes(idx, {})
    assert [n[0] for n in nodes] == ["Area 9", "Sub", "Area 10"]
    assert nodes[1][2] == 0 and nodes[0][2] == -1


def nav_data(files, rel):
    text = files[rel]
    return json.loads(text[text.index(",") + 1:-3] if rel != NAV_JS else text[len("window.SITE_NAV="):-2])


def read_lists(files):
    """Return {key: entries} of every sidebar list, pieces joined, as site.js reads them."""
    head = nav_data(files, NAV_JS)
    lists = {head["root"]: head["top"]}
    for rel in files:
        if rel != NAV_JS:
            assert rel == PART_DIR + rel[len(PART_DIR):-3] + ".js"
            lists.update(nav_data(files, rel))
    return head, lists


def test_nav_parts_round_trip_paths_and_are_found_by_key():
    idx = index_of(f"A {ident('a')}.md", f"A/B {ident('b')}.md", f"A/C {ident('c')}.md", f"D {ident('d')}.md")
    nodes = nav_nodes(idx, {f"A {ident('a')}.md": "Alpha"})
    files = nav_files(nodes)
    head, lists = read_lists(files)
    top = head["top"]["n"]
    assert [e[0] for e in top] == ["Alpha", "D"] and top[1][3] == ""
    key = top[0][3]
    assert key == nav_key(f"A {ident('a')}.md")
    part = PART_DIR + "%d.js" % part_of(key, 0, head["parts"])
    inner = nav_data(files, part)[key]
    assert [inner["d"] + "/" + e[1] for e in inner["n"]] == [n[1] for n in nodes if n[2] == 0]


@given(st.integers(min_value=1, max_value=2500))
@settings(max_examples=8, deadline=None)
def test_a_long_flat_list_comes_in_pieces_and_parts_follow_the_size(count):
    paths = [f"P {n} {ident('p%d' % n)}.md" for n in range(count)]
    files = nav_files(nav_nodes(index_of(*paths), {}))
    head, _ = read_lists(files)
    pieces = [head["top"]] + [v for rel in files if rel != NAV_JS for k, v in nav_data(files, rel).items()]
    assert sorted(e[1] for p in pieces for e in p["n"]) == sorted(p[:-3] + ".html" for p in paths)
    assert all(len(p["n"]) <= CHUNK for p in pieces) and head["top"].get("c", 1) == len(pieces)
    assert len(files) == head["parts"] + 1
    assert max(len(text) for text in files.values()) < 40000


def test_breadcrumbs_and_shell_escape_titles():
    idx = index_of(f"P {ident('p')}.md", f"P/Q {ident('q')}.md")
    child = f"P/Q {ident('q')}.md"
    trail = breadcrumbs(idx, child, {f"P {ident('p')}.md": "<b>P</b>"}, idx.out[child])
    assert trail == [("<b>P</b>", f"../P%20{ident('p')}.html", nav_key(f"P {ident('p')}.md"))]
    page = page_shell("<script>x</script>", "<p>body</p>", idx.out[child], trail)
    assert "<script>x" not in page and "&lt;b&gt;P&lt;/b&gt;" in page
    assert 'href="../_site/site.css"' in page


def test_tree_html_lists_every_page_without_javascript():
    idx = index_of(f"A {ident('a')}.md", f"A/B {ident('b')}.md")
    html = tree_html(nav_nodes(idx, {}))
    assert html.count("<li>") == 2 and f"A/B%20{ident('b')}.html" in html
    many = index_of(*[f"P {n} {ident('p%d' % n)}.md" for n in range(30)])
    html = tree_html(nav_nodes(many, {}), limit=10)      # 50,000 pages: the top levels only
    assert html.count("<li>") == 10 and '<li class="muted">20 more in the sidebar</li>' in html


def test_titles_with_digits_int_refuses_still_sort():
    from lib.site.nav import natural
    titles = ["²", "Area 28", "Area ³", "Area 3", "٣ arabic"]
    ordered = sorted(titles, key=natural)  # a page titled "²" crashed the render (int("²"))
    assert ordered.index("Area 3") < ordered.index("Area 28") and ordered[0] == "٣ arabic"


@given(st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=12))
@settings(max_examples=30, deadline=None)
def test_any_titles_round_trip_through_the_parts(names):
    paths = [f"P {n} {ident('t%d' % n)}.md" for n in range(len(names))]
    child = f"P 0/Kid {ident('kid')}.md"
    nodes = nav_nodes(index_of(*paths, child), dict(zip(paths, names)))
    head, lists = read_lists(nav_files(nodes))
    assert sorted(e[0] for e in head["top"]["n"]) == sorted(names)
    first = next(e for e in head["top"]["n"] if e[1] == paths[0][:-3] + ".html")
    assert first[0] == names[0] and [e[0] for e in lists[first[3]]["n"]] == ["Kid"]
