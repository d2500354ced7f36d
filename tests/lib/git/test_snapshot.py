"""Snapshot commits built by lib.git.commit_snapshot, checked with the real git binary."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lib.git.commit_snapshot import format_message, open_repo, pack_loose_objects, snapshot_directory
from tests.lib.git.gitutil import BRANCH, fsck, git, git_tree_of, log, ls_tree, project_checkout, rev

ROOT = Path(__file__).resolve().parents[3]
BAD_NAME = b"bad-\xff-name.md"
EMOJI = "Plan 🎉 café.md"


def make_backups(root, pages=5):
    """Write a small backups/ tree with awkward names, an exec bit, a symlink and a staging dir."""
    official = root / "official"
    (official / "Sub dir").mkdir(parents=True)
    for i in range(pages):
        (official / f"Page {i} {i:032x}.md").write_text(f"# Page {i}\n\nbody {i}\n")
    (official / EMOJI).write_text("# Emoji\n")
    with open(os.path.join(os.fsencode(official), BAD_NAME), "wb") as handle:
        handle.write(b"latin-1 name\n")
    tool = official / "Sub dir" / "run.sh"
    tool.write_text("#!/bin/sh\necho hi\n")
    tool.chmod(0o755)
    os.symlink("../" + EMOJI, official / "Sub dir" / "link.md")
    (root / "manifests").mkdir()
    (root / "manifests" / "snapshot.json").write_text(json.dumps({"run_id": "r1", "files": []}))
    (root / ".staging" / "r1").mkdir(parents=True)
    (root / ".staging" / "r1" / "export.zip").write_bytes(b"PK\x03\x04 not published")
    return root


@pytest.fixture
def backups(tmp_path):
    return make_backups(tmp_path / "backups")


def test_first_snapshot_is_an_orphan_commit_with_gits_own_tree(tmp_path, backups):
    repo = tmp_path / "cache.git"
    result = snapshot_directory(str(repo), str(backups), BRANCH, "Snapshot r1: 5 pages", "Bot <bot@example.org>")
    assert result["changed"] and result["parent"] is None
    history = log(repo)
    assert [(c[0], c[1], c[2]) for c in history] == [(result["commit"], [], "Snapshot r1: 5 pages")]
    assert result["tree"] == git_tree_of(backups)          # same tree as `git add -A` minus .staging
    fsck(repo)
    tree = ls_tree(repo)
    assert b"official/" + BAD_NAME in tree                  # non-UTF-8 name kept byte for byte
    assert ("official/" + EMOJI).encode() in tree
    assert tree[b"official/Sub dir/run.sh"][0] == "100755"
    assert tree[b"official/Sub dir/link.md"][0] == "120000"
    assert git("--git-dir", str(repo), "cat-file", "blob", tree[b"official/Sub dir/link.md"][1]) == \
        ("../" + EMOJI).encode()
    assert not any(path.startswith(b".staging") for path in tree)
    author = git("--git-dir", str(repo), "log", "-1", "--format=%an <%ae>", BRANCH).decode().strip()
    assert author == "Bot <bot@example.org>"
    assert git("--git-dir", str(repo), "config", "gc.auto").strip() == b"0"


def test_unchanged_rerun_makes_no_commit_and_changed_rerun_adds_one(tmp_path, backups):
    repo = tmp_path / "cache.git"
    first = snapshot_directory(str(repo), str(backups), BRANCH, "one")
    # A re-extract rewrites every file with new mtimes; the content is what counts.
    for path in (backups / "official").glob("*.md"):
        path.write_bytes(path.read_bytes())
    again = snapshot_directory(str(repo), str(backups), BRANCH, "two")
    assert not again["changed"] and again["commit"] == first["commit"] and again["new_objects"] == 0
    assert len(log(repo)) == 1
    (backups / "official" / "Page 0 " f"{0:032x}.md").write_text("# Page 0\n\nedited\n")
    (backups / "official" / "New page.md").write_text("new\n")
    third = snapshot_directory(str(repo), str(backups), BRANCH, "three")
    assert third["changed"] and third["parent"] == first["commit"]
    assert [c[0] for c in log(repo)] == [third["commit"], first["commit"]]
    assert log(repo)[0][1] == [first["commit"]]
    assert third["tree"] == git_tree_of(backups)
    fsck(repo)


def test_snapshot_into_a_project_checkout_leaves_head_index_and_worktree_alone(tmp_path):
    project = project_checkout(tmp_path / "project", "README.md", "main branch\n")
    make_backups(project / "backups")
    (project / "README.md").write_text("local edit, not committed\n")
    config = project / ".git" / "config"
    git("config", "gc.auto", "6700", cwd=project)
    config.write_text(config.read_text() + "# the user's own comment\n[alias]\n\tst = status\n")
    config_before = config.read_text()
    status_before = git("status", "--porcelain", "--untracked-files=all", cwd=project)
    index_before = (project / ".git" / "index").read_bytes()
    result = snapshot_directory(str(project), str(project / "backups"), BRANCH, "snap")
    assert result["changed"]
    assert git("symbolic-ref", "HEAD", cwd=project).strip() == b"refs/heads/main"
    assert git("status", "--porcelain", "--untracked-files=all", cwd=project) == status_before
    assert (project / ".git" / "index").read_bytes() == index_before
    assert rev(project / ".git", BRANCH) == result["commit"]
    assert log(project / ".git")[0][1] == []                 # orphan: no link to main's history
    assert config.read_text().startswith(config_before)     # the user's config kept, only gc.auto added
    assert git("config", "gc.auto", cwd=project).strip() == b"0"
    fsck(project / ".git")


def test_files_over_the_cap_are_left_out_and_listed(tmp_path, backups):
    big = backups / "official" / "video.mp4"
    with open(big, "wb") as handle:                          # sparse: 120 MiB without the disk cost
        handle.truncate(120 << 20)
    repo = tmp_path / "cache.git"
    result = snapshot_directory(str(repo), str(backups), BRANCH, "snap", max_file_bytes=95_000_000)
    assert result["skipped_large"] == [{"path": "official/video.mp4", "size": 120 << 20}]
    tree = ls_tree(repo)
    assert b"official/video.mp4" not in tree
    listed = git("--git-dir", str(repo), "show", f"{BRANCH}:manifests/skipped_large_files.json")
    assert json.loads(listed) == [{"path": "official/video.mp4", "size": 120 << 20}]
    fsck(repo)


@pytest.mark.parametrize("lfs", [False, True])
def test_the_manifests_are_committed_whole_whatever_their_size(tmp_path, backups, lfs):
    manifest = backups / "manifests" / "snapshot.json"
    manifest.write_text(json.dumps({"run_id": "r1", "files": [{"path": f"p{n}.md"} for n in range(3000)]}))
    repo = tmp_path / "cache.git"
    result = snapshot_directory(str(repo), str(backups), BRANCH, "snap", max_file_bytes=1000, lfs=lfs)
    assert not [item for item in result["skipped_large"] + result["lfs"] if item["path"].startswith("manifests/")]
    assert git("--git-dir", str(repo), "show", f"{BRANCH}:manifests/snapshot.json") == manifest.read_bytes()


def test_a_60_mib_blob_is_written_with_flat_memory(tmp_path):
    src = tmp_path / "backups" / "official"
    src.mkdir(parents=True)
    size = 60 << 20
    with open(src / "big.bin", "wb") as handle:
        for _ in range(60):
            handle.write(os.urandom(1 << 20))
    repo = tmp_path / "cache.git"
    # VmHWM is the child's own peak; ru_maxrss would carry over the forking pytest's peak across exec.
    code = ("import sys; from lib.git.commit_snapshot import snapshot_directory; "
            "r = snapshot_directory(sys.argv[1], sys.argv[2], 'notion-backups', 'big'); "
            "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])")
    out = subprocess.run([sys.executable, "-c", code, str(repo), str(tmp_path / "backups")], cwd=ROOT,
                         capture_output=True, check=True, text=True).stdout
    peak_mib = int(out.split()[-1]) / 1024
    assert peak_mib < 60, f"peak RSS {peak_mib:.0f} MiB: the 60 MiB blob was held in memory"
    sha = ls_tree(repo)[b"official/big.bin"][1]
    assert int(git("--git-dir", str(repo), "cat-file", "-s", sha)) == size
    assert sha == git("hash-object", str(src / "big.bin")).decode().strip()
    fsck(repo)


def test_extra_excluded_names_and_empty_dirs_stay_out(tmp_path, backups):
    (backups / "site").mkdir()
    (backups / "site" / "index.html").write_text("<html>")
    (backups / "official" / "empty").mkdir()
    repo = tmp_path / "cache.git"
    snapshot_directory(str(repo), str(backups), BRANCH, "snap", exclude=(".staging", "site"))
    paths = ls_tree(repo)
    assert not any(p.startswith((b"site/", b".staging/", b"official/empty")) for p in paths)
    assert b"manifests/snapshot.json" in paths


def test_packing_moves_loose_objects_into_packs_git_can_read(tmp_path, backups):
    repo_path = tmp_path / "cache.git"
    result = snapshot_directory(str(repo_path), str(backups), BRANCH, "snap")
    with open_repo(str(repo_path)) as repo:
        packed = pack_loose_objects(repo, threshold=3, batch_bytes=4096)
    assert packed >= 10
    counts = dict(line.split(": ") for line in
                  git("--git-dir", str(repo_path), "count-objects", "-v").decode().splitlines())
    assert int(counts["count"]) == 0 and int(counts["packs"]) >= 1
    fsck(repo_path)
    # An unchanged re-run finds every blob inside the packs and writes nothing.
    again = snapshot_directory(str(repo_path), str(backups), BRANCH, "snap")
    assert not again["changed"] and again["new_objects"] == 0 and again["commit"] == result["commit"]


def test_format_message_is_what_a_person_reads_in_git_log():
    counts = {"md": 120, "csv": 12, "attachments": 30, "files": 170, "bytes": 3 << 20,
              "folders": {"Home": {"md": 3}}}
    ident = "0123456789abcdef0123456789abcdef"
    other = "fedcba9876543210fedcba9876543210"
    changes = {"added": [f"Home/Roadmap 2027 {ident}.md", "Home/Roadmap/plan.png"],
               "removed": [f"Home/Old notes {ident}.md"],
               "changed": [f"Home {ident}.md", f"Tasks {ident}_all.csv"],
               "moved": [[f"Home/Draft {other}.md", f"Home/Final {other}.md"]]}
    text = format_message("2026-11-21", counts, "passed", "0.1.0", changes)
    lines = text.splitlines()
    assert lines[0] == "Snapshot 2026-11-21: 120 pages, 12 databases, 30 attachments (+1 -1 ~1 pages, 1 moved)"
    assert "Run 2026-11-21, quality gate passed: 170 files, 3.0 MB." in lines
    assert lines[lines.index("Added pages (1):") + 1] == "  Home / Roadmap 2027"
    assert lines[lines.index("Removed pages (1):") + 1] == "  Home / Old notes"
    assert lines[lines.index("Renamed or moved pages (1):") + 1] == "  Home / Draft → Home / Final"
    assert lines[lines.index("Changed pages (1):") + 1] == "  Home"
    assert "notion-git-backup 0.1.0" in lines
    assert "folders" not in text and "{" not in text and ident not in text and other not in text
    first = format_message("r", {}, "passed", "notion-git-backup 0.2.0").splitlines()
    assert first[0] == "Snapshot r: 0 pages, 0 databases, 0 attachments"
    assert "No earlier snapshot to compare with." in first and "notion-git-backup 0.2.0" in first


def test_format_message_names_at_most_twenty_pages_of_each_kind():
    changes = {"added": [f"Page {n:02d}.md" for n in range(25)], "removed": [], "changed": []}
    lines = format_message("r", {"md": 25}, "passed", "0.1.0", changes).splitlines()
    start = lines.index("Added pages (25):")
    assert lines[start + 1:start + 22] == [f"  Page {n:02d}" for n in range(20)] + [
        "  ... and 5 more (see manifests/snapshot.json)"]


def test_killed_mid_snapshot_then_rerun_gives_a_clean_snapshot(tmp_path):
    backups = tmp_path / "backups"
    official = backups / "official"
    official.mkdir(parents=True)
    for i in range(1500):
        (official / f"p{i}.md").write_bytes(os.urandom(2048))
    repo = tmp_path / "cache.git"
    code = "import sys; from lib.git.commit_snapshot import snapshot_directory; " \
           "snapshot_directory(sys.argv[1], sys.argv[2], 'notion-backups', 'snap')"
    proc = subprocess.Popen([sys.executable, "-c", code, str(repo), str(backups)], cwd=ROOT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:                       # kill once objects are being written
        if (repo / "objects").exists() and len(os.listdir(repo / "objects")) > 20:
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert rev(repo, BRANCH) is None                         # no half snapshot became the tip
    result = snapshot_directory(str(repo), str(backups), BRANCH, "snap")
    assert result["changed"] and result["files"] == 1500
    assert result["tree"] == git_tree_of(backups)
    fsck(repo)
