"""Counting: every kind of file the gate compares, in total and per top-level folder."""
from lib.snapshot.counting import count_tree, snapshot_changes
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


def test_snapshot_changes_pair_renamed_and_moved_files_by_their_notion_id():
    a, b = "0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"
    files = lambda *pairs: {"files": [{"path": p, "sha256": h} for p, h in pairs]}  # noqa: E731
    before = files((f"Home {a}.md", "1"), (f"Home/Draft {b}.md", "2"), (f"Tasks {a}_all.csv", "3"),
                   ("Home/old.png", "4"), (f"Home/Gone {a}1.md", "5"))
    after = files((f"Home {a}.md", "9"), (f"Home/Final {b}.md", "2"), (f"Archive/Tasks {a}_all.csv", "3"),
                  ("Home/new.png", "4"))
    assert snapshot_changes(after, before) == {
        "added": ["Home/new.png"], "removed": [f"Home/Gone {a}1.md", "Home/old.png"], "changed": [f"Home {a}.md"],
        "moved": [[f"Tasks {a}_all.csv", f"Archive/Tasks {a}_all.csv"], [f"Home/Draft {b}.md", f"Home/Final {b}.md"]]}
    assert snapshot_changes(after, None) is None
