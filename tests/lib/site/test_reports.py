"""Report pages in plain words: broken links by page title and breadcrumbs, removed pages linked to their last
version, dates as dates."""
from lib.core.notion_names import page_key
from lib.site.links import SiteIndex
from lib.site.reports import broken_article, changes_article
from tests.lib.site.site_fixtures import ident

PARENT = f"Projects & Tasks {ident('pt')}.md"
PAGE = f"Projects & Tasks {ident('pt')}/New Project {ident('np')}.md"
GONE = f"Projects & Tasks {ident('pt')}/Old plan {ident('old')}.md"


def test_broken_links_are_listed_by_page_title_with_breadcrumbs_and_decoded_targets():
    index = SiteIndex([PARENT, PAGE])
    target = "Another%20page%20that%20is%20gone%20" + ident("gone") + ".md"
    body = broken_article(index, [{"page": PAGE, "href": target}, {"page": PAGE, "href": "about:blank"}],
                          [{"page": PARENT, "href": "photo%201.png"}], "_site/broken-links.html",
                          {PAGE: "New Project", PARENT: "Projects & Tasks"})
    assert body.startswith("<p>2 broken links and 1 missing attachment.</p>")
    assert '>New Project</a> <small class="trail">in <a href="../Projects%20%26%20Tasks%20' in body
    assert f"<code class=\"target\">Another page that is gone {ident('gone')}.md</code>" in body
    assert body.count(">New Project</a>") == 1          # one entry per page, its links under it
    assert '<code class="target">photo 1.png</code>' in body


def test_a_removed_page_links_its_last_version_and_dates_read_as_dates():
    index = SiteIndex([PARENT, PAGE])
    last = {page_key(GONE): "_site/history/ol/old/v1.html"}
    changes = {"added": [], "changed": [PAGE], "moved": [], "removed": [GONE]}
    body = changes_article(index, changes, {}, {"time": "2026-12-07T01:20:00Z"}, {"time": "2026-12-06T23:05:00Z"},
                           "_site/changes.html", last=last)
    assert '<time datetime="2026-12-06T23:05:00Z">6 Dec 2026, 23:05 UTC</time>' in body
    assert '<a href="history/ol/old/v1.html">Old plan</a> <span class="muted">(last version)</span>' in body
    assert "<h2>Added (0)</h2>" in body and "<h2>Removed (1)</h2>" in body
