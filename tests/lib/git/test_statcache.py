"""The stat cache: a file unchanged since the last snapshot (same inode, size and time) is not read again."""
import os

from lib.git.commit_snapshot import snapshot_directory
from lib.git.statcache import StatCache, stat_key
from lib.core.layout import GIT_STAT_CACHE
from tests.lib.git.gitutil import BRANCH, fsck, git, git_tree_of, ls_tree


def blob_text(repo, path):
    return git("--git-dir", str(repo), "cat-file", "blob", ls_tree(repo)[path.encode()][1])


def test_an_unchanged_file_is_taken_from_the_cache_and_a_rewritten_one_is_read(tmp_path):
    backups, repo = tmp_path / "backups", tmp_path / "cache.git"
    (backups / "official").mkdir(parents=True)
    page, other = backups / "official" / "Page.md", backups / "official" / "Other.md"
    page.write_bytes(b"first version\n")
    other.write_bytes(b"other\n")
    snapshot_directory(str(repo), str(backups), BRANCH, "one")
    # Same inode, size and time, different bytes: only a file rewritten in place with its time put back
    # looks like this (nothing in the pipeline does that). The cache answering proves the file was not read.
    st = os.stat(page)
    with open(page, "r+b") as handle:
        handle.write(b"FIRST")
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns))
    unchanged = snapshot_directory(str(repo), str(backups), BRANCH, "two")
    assert not unchanged["changed"] and blob_text(repo, "official/Page.md") == b"first version\n"
    # What the pipeline does: a new file renamed into place. A new inode: read, hashed, committed.
    tmp = backups / "official" / ".Page.md.tmp"
    tmp.write_bytes(b"second version\n")
    os.replace(tmp, page)
    changed = snapshot_directory(str(repo), str(backups), BRANCH, "three")
    assert changed["changed"] and blob_text(repo, "official/Page.md") == b"second version\n"
    assert changed["tree"] == git_tree_of(backups)
    fsck(repo)


def test_a_cached_blob_the_store_lost_is_hashed_again(tmp_path):
    backups, repo = tmp_path / "backups", tmp_path / "cache.git"
    (backups / "official").mkdir(parents=True)
    (backups / "official" / "Page.md").write_bytes(b"content\n")
    first = snapshot_directory(str(repo), str(backups), BRANCH, "one")
    sha = ls_tree(repo)[b"official/Page.md"][1]
    os.unlink(repo / "objects" / sha[:2] / sha[2:])
    again = snapshot_directory(str(repo), str(backups), "other-branch", "two")
    assert again["tree"] == first["tree"] and again["new_objects"] >= 1
    assert (repo / "objects" / sha[:2] / sha[2:]).exists()


def test_a_name_that_is_not_utf8_keeps_its_cache_entry(tmp_path):
    backups, repo = tmp_path / "backups", tmp_path / "cache.git"
    official = os.path.join(os.fsencode(backups), b"official")
    os.makedirs(official)
    with open(os.path.join(official, b"bad-\xff-name.md"), "wb") as handle:
        handle.write(b"latin-1 name\n")
    snapshot_directory(str(repo), str(backups), BRANCH, "one")
    cache = StatCache(str(repo / GIT_STAT_CACHE))
    st = os.lstat(os.path.join(official, b"bad-\xff-name.md"))
    assert cache.known(b"official/bad-\xff-name.md", stat_key(st)) == ls_tree(repo)[b"official/bad-\xff-name.md"][1].encode()
