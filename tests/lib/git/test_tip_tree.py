"""The commit built from the tip's trees: what the disk lacks is the tip's, never a deletion; what it holds wins."""
import os
import shutil

import pytest

from lib.core.fsutil import write_json_atomic
from lib.git.commit_snapshot import snapshot_directory
from tests.lib.git.gitutil import BRANCH, fsck, git
from tests.lib.trees import write_tree

BIG = os.urandom(3000)


def backups(root, files, site_listed=()):
    """A backups/ folder: official/ and site/ files, and a site manifest listing `site_listed`."""
    write_tree(root, files)
    write_json_atomic(root / "manifests" / "site.json", {"files": [{"path": p} for p in site_listed]})
    return root


@pytest.mark.parametrize("lfs", [False, True])
def test_official_absent_from_the_disk_keeps_the_tips_and_its_large_files_records(tmp_path, lfs):
    repo, source = tmp_path / "repo.git", tmp_path / "backups"
    backups(source, {"official/Page.md": b"# Page\n", "official/big.bin": BIG, "site/Page.html": b"<p>"},
            ["Page.html"])
    first = snapshot_directory(str(repo), str(source), BRANCH, "one", max_file_bytes=1000, lfs=lfs)
    shutil.rmtree(source / "official")             # nothing promoted in this run (a fresh runner's pull)
    again = snapshot_directory(str(repo), str(source), BRANCH, "two", max_file_bytes=1000, lfs=lfs)
    assert again["changed"] is False and again["tree"] == first["tree"]
    (source / "site" / "Page.html").write_bytes(b"<p>new")   # what the disk holds wins
    third = snapshot_directory(str(repo), str(source), BRANCH, "three", max_file_bytes=1000, lfs=lfs)
    assert third["changed"]
    listing = git("--git-dir", str(repo), "ls-tree", "-r", "--name-only", BRANCH).decode().split("\n")
    assert {"official/Page.md", "site/Page.html"} <= set(listing)
    assert ("official/big.bin" in listing) == lfs and (".gitattributes" in listing) == lfs
    assert ("manifests/skipped_large_files.json" in listing) == (not lfs)   # the left-out file stays listed
    fsck(repo)


def test_a_site_file_the_disk_lacks_is_kept_only_while_listed_and_left_on_the_remote(tmp_path):
    repo, source = tmp_path / "repo.git", tmp_path / "backups"
    backups(source, {"official/a.png": BIG, "site/a.png": BIG, "site/old.png": b"old"}, ["a.png", "old.png"])
    snapshot_directory(str(repo), str(source), BRANCH, "one")
    (source / "site" / "a.png").unlink()
    (source / "site" / "old.png").unlink()
    # Here the blobs are held: a file missing from the disk is a deletion, whatever the manifest says.
    snapshot_directory(str(repo), str(source), BRANCH, "two")
    listing = git("--git-dir", str(repo), "ls-tree", "-r", "--name-only", BRANCH).decode().split()
    assert "site/a.png" not in listing and "site/old.png" not in listing
