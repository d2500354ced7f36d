"""Recovering one page: exactly the files a snapshot holds for it, byte for byte, and nothing else touched."""
import hashlib
import os

import pytest
from dulwich.objects import Blob, Tree

from lib.core.errors import ConfigError, UnsafeArchive
from lib.git.objects import open_repo, update_ref, write_commit
from lib.git.recover import recover_page
from tests.fakes.exports import FakeWorkspace
from tests.lib.git.gitutil import ls_tree
from tests.lib.git.history_fixtures import BRANCH, snapshot_days

WORKSPACE = dict(seed=32, pages=150, databases=8)


@pytest.fixture(scope="module")
def branch(tmp_path_factory):
    base = tmp_path_factory.mktemp("recover")
    repo = base / "repo.git"
    snapshot_days(repo, base / "backups", [(0, "day-1", "2026-11-18"), (1, "day-2", "2026-11-19")], **WORKSPACE)
    return repo


def written(dest):
    """Return {relative path: git blob id} of every file under dest."""
    out = {}
    for folder, _, names in os.walk(dest):
        for name in names:
            data = open(os.path.join(folder, name), "rb").read()
            rel = os.path.relpath(os.path.join(folder, name), dest)
            out[rel] = hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()
    return out


def in_git(repo, rev, paths, base):
    """Return {path below base: blob id} of those official/ paths, as git ls-tree lists them."""
    tree = ls_tree(repo, rev)
    return {p[len(base):]: tree[("official/" + p).encode()][1] for p in paths}


def test_a_row_page_comes_with_the_files_beside_it(branch, tmp_path):
    workspace = FakeWorkspace(**WORKSPACE)
    row = next(n for n in workspace.live_nodes() if n.kind == "row" and len(n.files) == 2)
    paths = workspace.paths()
    page, folder = paths[row.index][0], paths[row.parent][1]
    done = recover_page(branch, BRANCH, row.id, "day-1", tmp_path / "out")
    expected = [page] + [folder + name for name, kind in row.files if kind != "url"]
    assert written(tmp_path / "out") == in_git(branch, f"{BRANCH}~1", expected, folder)
    assert done["run_id"] == "day-1" and done["path"] == page


def test_a_database_comes_with_both_csvs_and_its_rows(branch, tmp_path):
    workspace = FakeWorkspace(day=1, **WORKSPACE)
    db = next(n for n in workspace.live_nodes() if n.kind == "db" and n.title == "Books")
    csv = workspace.paths()[db.index][0]
    base = csv.rsplit("/", 1)[0] + "/" if "/" in csv else ""
    recover_page(branch, BRANCH, db.id, "", tmp_path / "out")
    rows_folder = workspace.paths()[db.index][1]
    expected = [p for p, _, _ in workspace.entries() if p in (csv, csv[:-4] + "_all.csv") or p.startswith(rows_folder)]
    assert written(tmp_path / "out") == in_git(branch, BRANCH, expected, base)
    assert any(p.endswith("_all.csv") for p in written(tmp_path / "out"))


def test_to_must_be_new_or_empty_and_nothing_there_is_touched(branch, tmp_path):
    dest = tmp_path / "out"
    dest.mkdir()
    (dest / "mine.txt").write_text("keep me")
    with pytest.raises(ConfigError, match="is not empty .*nothing was written"):
        recover_page(branch, BRANCH, "Date export beta table", "day-1", dest)
    assert sorted(os.listdir(dest)) == ["mine.txt"] and (dest / "mine.txt").read_text() == "keep me"
    with pytest.raises(ConfigError, match="a file is there"):
        recover_page(branch, BRANCH, "Date export beta table", "day-1", dest / "mine.txt")
    assert (dest / "mine.txt").read_text() == "keep me"
    recover_page(branch, BRANCH, "Date export beta table", "day-1", tmp_path / "empty")
    assert written(tmp_path / "empty") and not any(n.startswith(".recover-") for n in os.listdir(tmp_path / "empty"))


def test_a_hostile_name_in_the_snapshot_writes_nothing(tmp_path):
    repo = tmp_path / "repo.git"
    with open_repo(repo) as handle:
        blob = Blob.from_string(b"# Evil\n")
        inner, page, official, root = Tree(), Tree(), Tree(), Tree()
        inner.add(b"config", 0o100644, blob.id)
        page.add(b".git", 0o040000, inner.id)
        official.add(f"Evil {'e' * 32}.md".encode(), 0o100644, blob.id)
        official.add(f"Evil {'e' * 32}".encode(), 0o040000, page.id)
        root.add(b"official", 0o040000, official.id)
        for obj in (blob, inner, page, official, root):
            handle.object_store.add_object(obj)
        commit = write_commit(handle, root.id, [], "Snapshot evil: 1 pages", None, when=1_800_000_000)
        update_ref(handle, b"refs/heads/" + BRANCH.encode(), None, commit)
    with pytest.raises(UnsafeArchive, match="unsafe"):
        recover_page(repo, BRANCH, "Evil", "", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_file_kept_in_git_lfs_comes_back_as_its_content_not_its_pointer(tmp_path):
    from lib.git.commit_snapshot import snapshot_directory
    from tests.lib.git.history_fixtures import promote, write_export
    workspace = FakeWorkspace(seed=33, pages=40, databases=2, attachments=6, attachment_bytes=300_000)
    backups, repo = tmp_path / "backups", tmp_path / "repo.git"
    write_export(workspace, str(backups / "official"))
    promote(str(backups), "day-1", 1_800_000_000)
    done = snapshot_directory(str(repo), str(backups), BRANCH, "Snapshot day-1: lfs", max_file_bytes=250_000,
                              lfs=True)
    assert done["lfs"], "the fixture must hold files over the limit"
    stored = {item["path"].split("/", 1)[1] for item in done["lfs"]}  # "official/<path>"
    host = next(n for n in workspace.live_nodes() if any(kind == "png" for _, kind in n.attachments)
                and any(workspace.paths()[n.index][1] + name in stored for name, _ in n.attachments))
    page_dir = workspace.paths()[host.index][0].rsplit("/", 1)[0] if "/" in workspace.paths()[host.index][0] else ""
    done = recover_page(str(repo), BRANCH, host.id, "", tmp_path / "out")
    big = [name for name in done["files"] if name in stored]
    assert big, "the page holds a file kept in Git LFS"
    for name in big:  # each comes back as the file itself, byte for byte, not as its pointer
        rel = name[len(page_dir) + 1:] if page_dir else name
        assert (tmp_path / "out" / rel).read_bytes() == (backups / "official" / name).read_bytes()


def test_a_page_named_by_its_new_title_comes_back_as_it_was_under_its_old_one(branch, tmp_path):
    """`doit history --page "New title"` lists the versions under the old title; recover finds them too."""
    before, after = FakeWorkspace(**WORKSPACE), FakeWorkspace(day=1, **WORKSPACE)
    old_titles = {n.id: n.title for n in before.live_nodes()}
    renamed = next(n for n in after.live_nodes() if n.id in old_titles and old_titles[n.id] != n.title)
    assert renamed.title.endswith(" v2")
    with pytest.raises(ConfigError):   # the new title is not in day 1 by name
        recover_page(branch, BRANCH, renamed.title + " nowhere", "day-1", tmp_path / "none")
    done = recover_page(branch, BRANCH, renamed.title, "day-1", tmp_path / "out")
    page = before.paths()[renamed.index][0]
    assert done["path"] == page and old_titles[renamed.id] in page
    assert written(tmp_path / "out")[os.path.basename(page)] == ls_tree(branch, f"{BRANCH}~1")[
        ("official/" + page).encode()][1]
