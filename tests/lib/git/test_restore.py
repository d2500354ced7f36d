"""Restoring backups/official and backups/manifests from the snapshot branch tip."""
import os
import subprocess

import pytest
from dulwich.objects import Blob, Commit, Tree

from lib.core.errors import UnsafeArchive
from lib.git.restore import restore_from_tip
from lib.git.commit_snapshot import open_repo, snapshot_directory
from tests.lib.git.gitutil import BRANCH
from tests.lib.git.test_snapshot import BAD_NAME, EMOJI, make_backups


def test_restore_brings_back_absent_folders_byte_for_byte(tmp_path):
    source = make_backups(tmp_path / "backups")
    repo = tmp_path / "cache.git"
    result = snapshot_directory(str(repo), str(source), BRANCH, "snap")
    target = tmp_path / "fresh"
    summary = restore_from_tip(str(repo), BRANCH, str(target))
    assert summary["commit"] == result["commit"]
    assert summary["restored"] == ["official", "manifests"]
    diff = subprocess.run(["diff", "-r", "--no-dereference", str(source / "official"), str(target / "official")],
                          capture_output=True)
    assert diff.returncode == 0, diff.stdout
    assert os.path.exists(os.path.join(os.fsencode(target / "official"), BAD_NAME))
    assert (target / "official" / EMOJI).read_text() == "# Emoji\n"
    assert os.access(target / "official" / "Sub dir" / "run.sh", os.X_OK)
    assert os.readlink(target / "official" / "Sub dir" / "link.md") == "../" + EMOJI
    assert (target / "manifests" / "snapshot.json").read_bytes() == \
        (source / "manifests" / "snapshot.json").read_bytes()
    assert not (target / ".staging").exists()
    assert [n for n in os.listdir(target) if n.startswith(".restore")] == []


def test_restore_leaves_present_folders_alone_and_no_branch_is_a_first_backup(tmp_path):
    source = make_backups(tmp_path / "backups")
    repo = tmp_path / "cache.git"
    assert restore_from_tip(str(repo), BRANCH, str(tmp_path / "x"))["commit"] is None
    snapshot_directory(str(repo), str(source), BRANCH, "snap")
    target = tmp_path / "local"
    (target / "official").mkdir(parents=True)
    (target / "official" / "mine.md").write_text("newer local data")
    summary = restore_from_tip(str(repo), BRANCH, str(target))
    assert summary["present"] == ["official"] and summary["restored"] == ["manifests"]
    assert os.listdir(target / "official") == ["mine.md"]


def _hostile_branch(repo_path, bad_tree_builder):
    with open_repo(str(repo_path)) as repo:
        store = repo.object_store
        blob = Blob.from_string(b"[core]\n\tfsmonitor = evil\n")
        store.add_object(blob)
        inner = bad_tree_builder(blob)
        for tree in inner:
            store.add_object(tree)
        official = inner[-1]
        good = Tree()
        good.add(b"ok.md", 0o100644, blob.id)
        store.add_object(good)
        root = Tree()
        root.add(b"official", 0o040000, official.id)
        root.add(b"manifests", 0o040000, good.id)
        store.add_object(root)
        commit = Commit()
        commit.tree, commit.parents = root.id, []
        commit.author = commit.committer = b"x <x@x>"
        commit.author_time = commit.commit_time = 0
        commit.author_timezone = commit.commit_timezone = 0
        commit.message = b"hostile"
        store.add_object(commit)
        repo.refs[b"refs/heads/" + BRANCH.encode()] = commit.id


def _dotdot(blob):
    escape = Tree()
    escape.add(b"x", 0o100644, blob.id)                      # official/../x
    official = Tree()
    official.add(b"..", 0o040000, escape.id)
    return [escape, official]


def _dotgit(blob):
    dotgit = Tree()
    dotgit.add(b"config", 0o100644, blob.id)                 # official/.GIT/config
    official = Tree()
    official.add(b".GIT", 0o040000, dotgit.id)
    return [dotgit, official]


def _absolute_link(blob):
    target = Blob.from_string(b"/etc")
    official = Tree()
    official.add(b"etc", 0o120000, target.id)
    return [target, official]


@pytest.mark.parametrize("builder", [_dotdot, _dotgit, _absolute_link])
def test_hostile_tree_entries_are_refused_and_nothing_is_written(tmp_path, builder):
    repo = tmp_path / "cache.git"
    _hostile_branch(repo, builder)
    target = tmp_path / "backups"
    with pytest.raises(UnsafeArchive) as caught:
        restore_from_tip(str(repo), BRANCH, str(target))
    assert "official/" in str(caught.value)
    assert os.listdir(target) == []                          # not even the harmless manifests/
    assert not (tmp_path / "x").exists()


def test_a_big_blob_is_restored_with_flat_memory(tmp_path):
    import sys
    from pathlib import Path
    source = tmp_path / "backups"
    (source / "official").mkdir(parents=True)
    with open(source / "official" / "video.bin", "wb") as handle:
        for _ in range(48):
            handle.write(os.urandom(1 << 20))
    repo = tmp_path / "cache.git"
    snapshot_directory(str(repo), str(source), BRANCH, "snap")
    code = ("import sys; from lib.git.restore import restore_from_tip; "
            "restore_from_tip(sys.argv[1], 'notion-backups', sys.argv[2]); "
            "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])")
    out = subprocess.run([sys.executable, "-c", code, str(repo), str(tmp_path / "out")], check=True, text=True,
                         capture_output=True, cwd=Path(__file__).resolve().parents[3]).stdout
    assert int(out.split()[-1]) / 1024 < 48, "the 48 MiB blob was held in memory whole"
    assert (tmp_path / "out" / "official" / "video.bin").read_bytes() == \
        (source / "official" / "video.bin").read_bytes()


def test_a_loose_object_whose_bytes_do_not_match_its_name_stops_the_restore(tmp_path):
    import zlib
    from lib.core.errors import PublishError
    from tests.lib.git.gitutil import ls_tree
    source = make_backups(tmp_path / "backups")
    repo = tmp_path / "cache.git"
    snapshot_directory(str(repo), str(source), BRANCH, "snap")
    sha = ls_tree(repo)[("official/" + EMOJI).encode()][1]
    loose = repo / "objects" / sha[:2] / sha[2:]
    os.chmod(loose, 0o644)
    loose.write_bytes(zlib.compress(b"blob 9\x00tampered!"))   # well-formed, wrong content
    with pytest.raises(PublishError, match="corrupt"):
        restore_from_tip(str(repo), BRANCH, str(tmp_path / "out"))
    assert [n for n in os.listdir(tmp_path / "out")] == []
