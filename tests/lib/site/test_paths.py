"""Path helpers: relative site paths, tree scans."""
import pytest

from lib.site.site_paths import ATTACHMENT_RE, relative, scan_tree


@pytest.mark.parametrize("target,src,expected", [
    ("a/b/c.html", "a/b/d.html", "c.html"), ("a/b/c.html", "x.html", "a/b/c.html"),
    ("x.html", "a/b/c.html", "../../x.html"), ("a/x/c.html", "a/b/d.html", "../x/c.html"),
    ("index.html", "_site/changes.html", "../index.html")])
def test_relative_paths_between_site_files(target, src, expected):
    assert relative(target, src) == expected


def test_attachment_names_are_told_from_pages():
    assert ATTACHMENT_RE.search("photo 1.png") and ATTACHMENT_RE.search("slides.PDF")
    assert not ATTACHMENT_RE.search("Page.md") and not ATTACHMENT_RE.search("db.csv")


def test_scan_tree_lists_posix_paths_hidden_ones_too(tmp_path):
    # Unpack renames .git and its kin; what else starts with a dot is a page or file of the user's.
    (tmp_path / "Ünï 日本").mkdir()
    (tmp_path / "Ünï 日本" / "a b.md").write_text("x")
    (tmp_path / ".config").mkdir()
    (tmp_path / ".config" / "x.md").write_text("x")
    (tmp_path / ".NET notes.md").write_text("x")
    assert scan_tree(tmp_path) == [".NET notes.md", ".config/x.md", "Ünï 日本/a b.md"]
