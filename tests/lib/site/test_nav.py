"""Sidebar data, breadcrumbs and the page shell."""
import json

from lib.site.links import SiteIndex
from lib.site.nav import breadcrumbs, nav_js, nav_nodes, page_shell, tree_html
from tests.lib.site.site_fixtures import ident


def index_of(*paths):
    return SiteIndex(list(paths))


def test_siblings_sort_naturally_and_children_follow_parents():
    idx = index_of(f"Area 10 {ident('a10')}.md", f"Area 9 {ident('a9')}.md", f"Area 9/Sub {ident('s')}.md")
    nodes = nav_nodes(idx, {})
    assert [n[0] for n in nodes] == ["Area 9", "Sub", "Area 10"]
    assert nodes[1][2] == 0 and nodes[0][2] == -1


def test_nav_js_round_trips_paths_through_shared_folders():
    idx = index_of(f"A {ident('a')}.md", f"A/B {ident('b')}.md", f"A/C {ident('c')}.md")
    nodes = nav_nodes(idx, {f"A {ident('a')}.md": "Alpha"})
    data = json.loads(nav_js(nodes)[len("window.SITE_NAV="):-2])
    paths = [(data["dirs"][n[1]] + "/" if data["dirs"][n[1]] else "") + n[2] for n in data["nodes"]]
    assert paths == [n[1] for n in nodes] and data["nodes"][0][0] == "Alpha"


def test_breadcrumbs_and_shell_escape_titles():
    idx = index_of(f"P {ident('p')}.md", f"P/Q {ident('q')}.md")
    child = f"P/Q {ident('q')}.md"
    trail = breadcrumbs(idx, child, {f"P {ident('p')}.md": "<b>P</b>"}, idx.out[child])
    assert trail == [("<b>P</b>", f"../P%20{ident('p')}.html")]
    page = page_shell("<script>x</script>", "<p>body</p>", idx.out[child], trail)
    assert "<script>x" not in page and "&lt;b&gt;P&lt;/b&gt;" in page
    assert 'href="../_site/site.css"' in page


def test_tree_html_lists_every_page_without_javascript():
    idx = index_of(f"A {ident('a')}.md", f"A/B {ident('b')}.md")
    html = tree_html(nav_nodes(idx, {}))
    assert html.count("<li>") == 2 and f"A/B%20{ident('b')}.html" in html


def test_titles_with_digits_int_refuses_still_sort():
    from lib.site.nav import natural
    titles = ["²", "Area 28", "Area ³", "Area 3", "٣ arabic"]
    ordered = sorted(titles, key=natural)  # a page titled "²" crashed the render (int("²"))
    assert ordered.index("Area 3") < ordered.index("Area 28") and ordered[0] == "٣ arabic"
