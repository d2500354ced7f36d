"""Rendering of one page: title, properties, safety, callouts, toggles, equations, links."""
import pytest

from lib.site.links import SiteIndex
from lib.site.site_paths import scan_tree
from lib.site.rawhtml import sanitize_html
from lib.site.render import make_markdown, render_page, split_properties
from tests.lib.site import site_fixtures as F


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp("official")
    F.build_tricky(root)
    md, renderer = make_markdown()
    return root, SiteIndex(scan_tree(root)), md, renderer


def render(setup, src, text=None, is_row=False):
    root, index, md, renderer = setup
    text = text if text is not None else (root / src).read_text(encoding="utf-8")
    return render_page(md, renderer, text, src, index, is_row)


def test_title_comes_from_the_heading_not_the_file_name(setup):
    title, html, _ = render(setup, F.HASHQ)
    assert title == "What? Why #1"
    title, _, _ = render(setup, F.CJK)
    assert title == "日本語のページ"
    title, _, _ = render(setup, F.PERCENT, "no heading here\n")
    assert title == "50% Done"


def test_links_are_rewritten_to_encoded_html_paths(setup):
    _, html, info = render(setup, F.HOME)
    assert 'href="Home/What%3F%20Why%20%231%20' in html
    assert 'href="Home/50%25%20Done%20' in html
    assert 'href="Home/%E6%97%A5%E6%9C%AC' in html
    assert info["broken"] == []


def test_unsafe_markup_is_neutralised(setup):
    _, html, _ = render(setup, F.LINKS)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "javascript:" not in html and '<span class="unsafe-link"' in html
    _, html, _ = render(setup, F.LINKS, "# T\n\n<img src=x onerror=alert(1)> <u>under</u>\n")
    assert "<img src=x" not in html and "<u>under</u>" in html


def test_callout_toggle_and_equation(setup):
    _, html, _ = render(setup, F.LINKS)
    assert "<aside>\n<p>💡 A <strong>callout</strong>" in html
    assert "<details>" in html and "<summary>Toggle title</summary>" in html and "<em>content</em>" in html
    assert '<pre class="math" title="TeX equation">E = mc^2</pre>' in html
    assert '<code class="math" title="TeX equation">a^2+b^2</code>' in html


def test_tables_tasks_strike_footnotes_code(setup):
    _, html, _ = render(setup, F.LINKS)
    assert "<table>" in html and "<del>struck</del>" in html
    assert 'type="checkbox" disabled checked' in html
    assert 'class="footnotes"' in html
    assert "print(&#x27;&lt;hi&gt;&#x27;)" in html or "print('&lt;hi&gt;')" in html


def test_broken_links_are_marked_and_reported(setup):
    _, html, info = render(setup, F.LINKS)
    assert 'class="broken-link"' in html
    assert set(info["broken"]) == {"Nowhere%20" + F.ident("nowhere") + ".md", "about:blank#deleted"}


def test_images_local_and_missing(setup):
    _, html, info = render(setup, F.CAFE)
    assert '<img src="Caf%C3%A9%20%E2%98%95%20Notes/photo%201.png"' in html
    assert 'class="missing-asset"' in html and "missing.png" in html
    assert len(info["missing"]) == 2 and "attachment missing from the backup" in html


def test_remote_images_are_not_loaded(setup):
    _, html, _ = render(setup, F.HOME, "# T\n\n![x](https://example.com/a.png)\n")
    assert "<img" not in html and "remote-image" in html


def test_row_properties_render_as_a_table(setup):
    _, html, _ = render(setup, F.ROW_DOCS, is_row=True)
    assert '<table class="properties"><tr><th>Status</th><td>Done</td>' in html
    props, rest = split_properties("\nNote: just a sentence.\n\nBody\n", False)
    assert props == []


def test_heading_ids_are_unique(setup):
    _, html, _ = render(setup, F.HOME, "# T\n\n## Notes\n\n## Notes\n")
    assert 'id="notes"' in html and 'id="notes-1"' in html


def test_sanitize_keeps_notions_tags_and_shows_other_markup_as_text():
    assert sanitize_html("<details open><summary>x</summary>") == "<details open><summary>x</summary>"
    assert sanitize_html('<aside style="x" onclick="alert(1)">') == "<aside>"      # attributes dropped
    assert sanitize_html("<iframe src=//evil>") == "&lt;iframe src=//evil&gt;"
    assert sanitize_html('<img src="https://e.com/x.svg" alt="tip" onerror="alert(1)">') == "tip"


def test_callout_inside_a_list_item_stays_in_it(setup):
    _, html, _ = render(setup, F.HOME, "# T\n\n- item\n\n    <aside>\n    💡 tip\n    </aside>\n- next\n")
    assert html.index("<aside>") > html.index("<li>") and html.index("</aside>") < html.index("next")
    assert "&lt;aside" not in html


def test_inline_data_images_are_kept_and_others_refused(setup):
    _, html, _ = render(setup, F.HOME, "# T\n\n![dot](data:image/png;base64,iVBORw0KGgo=)\n\n"
                        "![bad](data:text/html;base64,PHNjcmlwdD4=)\n")
    assert '<img src="data:image/png;base64,iVBORw0KGgo="' in html
    assert "data:text/html" not in html.replace("Remote image", "")
