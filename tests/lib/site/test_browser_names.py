"""In real Chromium: a page's link opens the rendered page, never an attachment of the same name; long names open."""
import pytest

from lib.site.build import build_site
from tests.lib.site.site_fixtures import link
from tests.lib.site.test_browser import browser, visit  # noqa: F401  (fixtures)
from tests.lib.trees import write_tree

sync_api = pytest.importorskip("playwright.sync_api")
ID = "0123456789abcdef0123456789abcdef"
HOME = f"Home {'1' * 32}.md"
TWIN_PAGE, TWIN_FILE = f"X {ID}.md", f"X {ID}.html"
LONG = f"{'会' * 73} {'2' * 32}.md"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("names")
    write_tree(root / "official", {
        HOME: f"# Home\n\n[the page]({link(TWIN_PAGE)})\n\n[long one]({link(LONG)})\n".encode(),
        TWIN_PAGE: b"# X\n\nThe rendered page.\n",
        TWIN_FILE: b"<html><body><script>document.title = 'attachment script ran'</script></body></html>",
        LONG: f"# {'会' * 73}\n\nfar away\n".encode(),
    })
    build_site(root / "official", root / "site", workers=1)
    return root / "site"


def test_link_to_a_page_with_an_html_twin_opens_the_page(visit, site):  # noqa: F811
    page = visit.open(site, HOME[:-3] + ".html")
    page.click("article >> text=the page")
    sync_api.expect(page).to_have_title("X" + " · Notion backup")
    assert "The rendered page." in page.inner_text("article")


def test_link_to_a_255_byte_page_name_opens_it(visit, site):  # noqa: F811
    page = visit.open(site, HOME[:-3] + ".html")
    page.click("article >> text=long one")
    sync_api.expect(page).to_have_title("会" * 73 + " · Notion backup")
