"""Link resolution on Notion's tricky names: emoji, CJK, %, #, ?, spaces, duplicates, folder styles."""
import pytest

from lib.site.links import SiteIndex
from lib.site.site_paths import scan_tree
from tests.lib.site import site_fixtures as F


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    root = tmp_path_factory.mktemp("official")
    F.build_tricky(root)
    return SiteIndex(scan_tree(root))


@pytest.mark.parametrize("name", [F.CAFE, F.CJK, F.PERCENT, F.HASHQ, F.DUP1, F.DUP2])
def test_encoded_relative_link_resolves_to_the_exact_page(index, name):
    href = F.link(name)
    kind, target, _ = index.resolve(href, F.HOME)
    assert (kind, target) == ("page", name)


def test_href_is_url_encoded_and_round_trips(index):
    href = index.href(index.out[F.HASHQ], index.out[F.HOME])
    assert "#" not in href and "?" not in href and " " not in href
    kind, target, _ = index.resolve(href[:-5] + ".md", F.HOME)
    assert target == F.HASHQ
    assert index.href(index.out[F.PERCENT], index.out[F.HOME]).startswith("Home/50%25%20Done")


def test_folder_without_id_belongs_to_its_page(index):
    assert index.parent[F.CAFE] == F.HOME
    assert index.ancestors(F.DEEPER) == [F.PROJECTS, F.DEEP]


def test_duplicate_titles_stay_distinct(index):
    assert index.out[F.DUP1] != index.out[F.DUP2]
    assert index.resolve(F.link(F.DUP2), "")[1] == F.DUP2


def test_absolute_notion_links_resolve_by_id(index):
    deeper = F.ident("deeper")
    assert index.resolve(f"https://www.notion.so/acme/Deeper-{deeper}", F.LINKS)[1] == F.DEEPER
    dashed = "-".join([deeper[:8], deeper[8:12], deeper[12:16], deeper[16:20], deeper[20:]])
    assert index.resolve(f"https://acme.notion.site/{dashed}?pvs=4", F.LINKS)[1] == F.DEEPER
    assert index.resolve("https://www.notion.so/acme/Other-" + F.ident("nope"), F.LINKS)[0] == "external"


def test_link_with_stale_folder_style_resolves_by_id(index):
    # The link names a folder with an id while the export wrote the folder without one.
    href = F.link(f"Home {F.ident('home')}/Café ☕ Notes {F.ident('cafe')}.md")
    assert index.resolve(href, F.LINKS)[1] == F.CAFE


def test_database_links_point_at_the_table_page(index):
    kind, target, _ = index.resolve(F.link(F.TASKS_CSV), F.HOME)
    assert kind == "db"
    assert index.out[target] == F.TASKS_CSV[:-4] + ".html"
    assert index.parent[F.ROW_DOCS] == target


def test_broken_and_odd_links(index):
    assert index.resolve("Nowhere%20" + F.ident("gone") + ".md", F.HOME)[0] == "broken"
    assert index.resolve("about:blank#abc", F.HOME)[0] == "broken"
    assert index.resolve("#heading", F.HOME)[0] == "anchor"
    assert index.resolve("mailto:a@b.c", F.HOME)[0] == "external"
    assert index.resolve("https://example.com/x.md", F.HOME)[0] == "external"


def test_attachment_in_folder_without_id(index):
    kind, target, _ = index.resolve(F.link("Café ☕ Notes/photo 1.png"), F.CAFE)
    assert (kind, target) == ("asset", F.IMAGE)


def test_notions_own_index_is_not_part_of_the_site(index):
    assert "index.html" not in index.out


def test_namesake_pages_each_own_their_folder():
    # Notion names the second folder with the id when two sibling pages share a title.
    first, second = F.ident("n1"), F.ident("n2")
    index = SiteIndex([f"Notes {first}.md", f"Notes {second}.md", f"Notes/A {F.ident('a')}.md",
                       f"Notes {first}/B {F.ident('b')}.md"])
    assert index.parent[f"Notes/A {F.ident('a')}.md"] == f"Notes {second}.md"
    assert index.parent[f"Notes {first}/B {F.ident('b')}.md"] == f"Notes {first}.md"
