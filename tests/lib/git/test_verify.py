"""Verifying the snapshot branch and listing its snapshots."""
import os
import subprocess

from dulwich.objects import Commit

from lib.core.fsutil import tree_manifest, write_json_atomic
from lib.git.commit_snapshot import open_repo, snapshot_directory
from lib.git.verify import list_snapshots, verify_branch
from tests.lib.git.gitutil import BRANCH, ls_tree
from tests.lib.git.test_snapshot import BAD_NAME, make_backups


def plain_backups(root):
    """make_backups minus what a JSON manifest cannot carry (a link, a non-UTF-8 name)."""
    backups = make_backups(root)
    (backups / "official" / "Sub dir" / "link.md").unlink()
    os.unlink(os.path.join(os.fsencode(backups / "official"), BAD_NAME))
    return backups


def promote(backups, run_id):
    """Write manifests/snapshot.json for backups/official the way promote does."""
    manifest = tree_manifest(backups / "official")
    write_json_atomic(backups / "manifests" / "snapshot.json",
                      {"run_id": run_id, "time": "2026-11-21T00:00:00Z", "files": manifest["files"],
                       "counts": {"md": 0}})


def test_good_branch_verifies_and_snapshots_list_what_changed(tmp_path):
    backups, repo = plain_backups(tmp_path / "backups"), tmp_path / "cache.git"
    (backups / "official" / "Table 1.csv").write_text("a,b\n")
    promote(backups, "2026-11-20")
    first = snapshot_directory(str(repo), str(backups), BRANCH, "Snapshot 2026-11-20: 7 pages")
    (backups / "official" / "Page 1 " f"{1:032x}.md").write_text("changed\n")
    (backups / "official" / "Page 2 " f"{2:032x}.md").unlink()
    (backups / "official" / "Brand new.md").write_text("new\n")
    (backups / "official" / "Brand new 2.md").write_text("new\n")
    promote(backups, "2026-11-21")
    second = snapshot_directory(str(repo), str(backups), BRANCH, "Snapshot 2026-11-21: 8 pages")
    result = verify_branch(str(repo), BRANCH)
    assert result["ok"], result["problems"]
    assert result["commits"] == 2 and result["files_checked"] == 9 and result["commit"] == second["commit"]
    rows = list_snapshots(str(repo), BRANCH)
    assert [r["commit"] for r in rows] == [second["commit"], first["commit"]]
    assert [r["run_id"] for r in rows] == ["2026-11-21", "2026-11-20"]
    assert (rows[0]["added"], rows[0]["removed"], rows[0]["changed"]) == (2, 1, 1)
    assert rows[0]["counts"] == {"md": 7, "csv": 1, "files": 9}
    assert rows[1]["counts"] == {"md": 6, "csv": 1, "files": 8} and rows[1]["added"] == 6
    assert rows[0]["date"] >= rows[1]["date"]
    assert list_snapshots(str(repo), BRANCH, limit=1) == rows[:1]


def test_tree_not_matching_its_manifest_is_reported_by_path(tmp_path):
    backups, repo = plain_backups(tmp_path / "backups"), tmp_path / "cache.git"
    promote(backups, "r1")
    (backups / "official" / "Page 0 " f"{0:032x}.md").write_text("edited after the manifest\n")
    (backups / "official" / "stray.md").write_text("not listed\n")
    (backups / "official" / "Page 3 " f"{3:032x}.md").unlink()
    snapshot_directory(str(repo), str(backups), BRANCH, "snap")
    result = verify_branch(str(repo), BRANCH)
    assert not result["ok"]
    text = "\n".join(result["problems"])
    assert "official/Page 0 " in text and "size" in text
    assert "official/stray.md: in the commit but not in snapshot.json" in text
    assert "Page 3 " in text and "missing from the commit" in text


def test_files_left_out_for_size_are_not_reported_missing(tmp_path):
    backups, repo = plain_backups(tmp_path / "backups"), tmp_path / "cache.git"
    with open(backups / "official" / "huge.bin", "wb") as handle:
        handle.truncate(2 << 20)
    promote(backups, "r1")
    result = snapshot_directory(str(repo), str(backups), BRANCH, "snap", max_file_bytes=1 << 20)
    assert result["skipped_large"][0]["path"] == "official/huge.bin"
    assert verify_branch(str(repo), BRANCH)["ok"]


def test_corrupt_object_and_merge_commit_are_found(tmp_path):
    backups, repo_path = plain_backups(tmp_path / "backups"), tmp_path / "cache.git"
    promote(backups, "r1")
    first = snapshot_directory(str(repo_path), str(backups), BRANCH, "snap")
    with open_repo(str(repo_path)) as repo:
        merge = Commit()
        merge.tree, merge.parents = repo[first["commit"].encode()].tree, [first["commit"].encode()] * 2
        merge.author = merge.committer = b"x <x@x>"
        merge.author_time = merge.commit_time = 1
        merge.author_timezone = merge.commit_timezone = 0
        merge.message = b"merge"
        repo.object_store.add_object(merge)
        repo.refs[b"refs/heads/" + BRANCH.encode()] = merge.id
    sha = ls_tree(repo_path)[b"official/" + "Plan 🎉 café.md".encode()][1]
    loose = repo_path / "objects" / sha[:2] / sha[2:]
    os.chmod(loose, 0o644)
    loose.write_bytes(b"garbage, not zlib")
    result = verify_branch(str(repo_path), BRANCH)
    assert not result["ok"]
    text = "\n".join(result["problems"])
    assert "has 2 parents" in text
    assert f"object {sha} is unreadable" in text
    fsck = subprocess.run(["git", "--git-dir", str(repo_path), "fsck", "--strict"], capture_output=True)
    assert fsck.returncode != 0                              # git agrees the repository is damaged


def test_tampered_loose_blob_is_reported(tmp_path):
    import zlib
    backups, repo_path = plain_backups(tmp_path / "backups"), tmp_path / "cache.git"
    promote(backups, "r1")
    snapshot_directory(str(repo_path), str(backups), BRANCH, "snap")
    sha = ls_tree(repo_path)[b"official/" + "Plan 🎉 café.md".encode()][1]
    loose = repo_path / "objects" / sha[:2] / sha[2:]
    os.chmod(loose, 0o644)
    loose.write_bytes(zlib.compress(b"blob 8\x00# Emojj\n"))   # same size as the original, other bytes
    result = verify_branch(str(repo_path), BRANCH)
    assert not result["ok"]
    assert any(sha in p and "corrupt" in p for p in result["problems"]), result["problems"]


def test_missing_branch_is_not_ok(tmp_path):
    result = verify_branch(str(tmp_path / "cache.git"), BRANCH)
    assert not result["ok"] and "does not exist" in result["problems"][0]
    assert list_snapshots(str(tmp_path / "cache.git"), BRANCH) == []
