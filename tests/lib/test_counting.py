"""Counting: every kind of file the gate compares, in total and per top-level folder."""
from lib.counting import count_tree
from tests.lib.trees import write_tree


def test_counts_by_kind_and_folder(tmp_path):
    write_tree(tmp_path, {
        "Home 0123456789abcdef0123456789abcdef.md": b"12345",
        "index.html": b"<html>",
        "Home/Tasks 1123456789abcdef0123456789abcdef.csv": b"a,b\n",
        "Home/Tasks 1123456789abcdef0123456789abcdef_all.csv": b"a,b,c\n",
        "Home/Tasks/Row 2123456789abcdef0123456789abcdef.md": b"# Row",
        "Home/photo.PNG": b"\x89PNG" * 10,
        "Home/archive.zip": b"PK",
        "Wiki/Page.MD": b"#",
        "Wiki/old.htm": b"<p>",
    })
    counts = count_tree(tmp_path)
    assert {k: counts[k] for k in ("md", "csv", "csv_all", "html", "attachments", "files")} == {
        "md": 3, "csv": 1, "csv_all": 1, "html": 2, "attachments": 2, "files": 9}
    assert counts["bytes"] == 5 + 6 + 4 + 6 + 5 + 40 + 2 + 1 + 3
    assert counts["folders"]["Home"] == {"md": 1, "csv": 1, "csv_all": 1, "html": 0, "attachments": 2,
                                         "files": 5, "bytes": 57}
    assert counts["folders"]["."]["files"] == 2 and counts["folders"]["Wiki"]["html"] == 1
    for kind in ("md", "files", "bytes"):
        assert sum(f[kind] for f in counts["folders"].values()) == counts[kind]


def test_empty_tree_counts_zero(tmp_path):
    counts = count_tree(tmp_path)
    assert counts["files"] == 0 and counts["bytes"] == 0 and counts["folders"] == {}
