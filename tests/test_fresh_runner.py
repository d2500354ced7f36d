"""A fresh runner (a new checkout, nothing on disk) backs up day 2 from the tip's trees: the attachments' blobs stay
on the remote, the previous snapshot's files never come, and what it pushes is whole for git."""
import os
import subprocess

import pytest

from lib.core.fsutil import read_json
from lib.git.repo import backup_repo_path
from tests.lib.archive.hostile_zips import notion_wrapper
from tests.lib.git.gitutil import GitHTTPServer, git
from tests.lib.trees import files_of
from tasks import publish, verify
from tests.stages_inprocess import BRANCH, GIT, Runner, check_branch

TOKEN = "ghs_FreshRunnerToken1234567890"
PHOTO, REPORT = os.urandom(300_000), os.urandom(200_000)
DAY1 = {"Home 0123456789abcdef0123456789abcdef.md": b"# Home\n\n![photo](Home/photo.png)\n[report](Home/report.pdf)\n",
        "Home/photo.png": PHOTO, "Home/report.pdf": REPORT,
        "Notes 11111111111111111111111111111111.md": b"# Notes\n\nfirst\n"}
DAY2 = {**DAY1, "Notes 11111111111111111111111111111111.md": b"# Notes\n\nsecond\n",
        "Home/report.pdf": REPORT[::-1], "Home/new.bin": os.urandom(50_000)}


def blob_id(data):
    return subprocess.run(["git", "hash-object", "--stdin"], input=data, capture_output=True, check=True,
                          env=GIT).stdout.decode().strip()


def held(repo, data):
    """Whether the repository holds the blob of `data` (git itself asked)."""
    return subprocess.run(["git", "--git-dir", str(repo), "cat-file", "-e", blob_id(data)], env=GIT,
                          capture_output=True).returncode == 0


@pytest.fixture(params=["http", "path"])
def remote(request, tmp_path):
    """A bare remote; over smart HTTP it filters (as GitHub does), a local path does not (the fallback)."""
    bare = tmp_path / "remote.git"
    git("init", "-q", "--bare", "-b", "main", str(bare))
    git("--git-dir", str(bare), "config", "uploadpack.allowFilter", "true")
    if request.param == "path":
        yield request.param, str(bare), bare
        return
    with GitHTTPServer(tmp_path, password=TOKEN) as server:
        yield request.param, server.url("remote.git"), bare


def test_a_fresh_runner_commits_day_two_from_the_tips_trees(tmp_path, remote):
    kind, url, bare = remote
    (tmp_path / "day1.zip").write_bytes(notion_wrapper({1: DAY1}))
    (tmp_path / "day2.zip").write_bytes(notion_wrapper({1: DAY2}))
    env = {"BACKUP_GIT_REMOTE": url, "BACKUP_PUSH_TOKEN": TOKEN}
    Runner(tmp_path / "laptop", url, **env).backup(tmp_path / "day1.zip", "day-1")
    fresh = Runner(tmp_path / "fresh", url, **env)
    layout = fresh.pull("day-2")
    repo = backup_repo_path(layout)
    if kind == "http":
        # Commits and trees came, and the pages' text; the attachments' blobs stayed on the remote.
        assert not held(repo, PHOTO) and held(repo, DAY1["Notes 11111111111111111111111111111111.md"])
        assert not (layout.backups / "official").exists() and (layout.backups / "site").is_dir()
        # The site's pages were written out from a scratch store, dropped since: the remote holds them.
        page = next((layout.backups / "site").rglob("Notes*.html"))
        assert not held(repo, page.read_bytes()) and not list(repo.glob("restore-scratch-*"))
    fresh.backup(tmp_path / "day2.zip", "day-2")
    # The site's build state came with the pull: only the page that changed is rendered again.
    site_facts = read_json(fresh.layout("day-2").site_manifest)
    assert (site_facts["pages_rendered"], site_facts["pages_unchanged"]) == (1, 1)
    if kind == "http":
        assert not held(repo, PHOTO)            # unchanged: never fetched, never written, never pushed again
        assert held(repo, DAY2["Home/new.bin"])
    # verify reads every object: what the blobless pull left on the remote is fetched for it, by id.
    assert verify.verify(fresh.cfg, fresh.layout("day-2"))["commit"]   # raises on any problem
    if kind == "http":
        assert held(repo, PHOTO)
    paths = check_branch(bare, tmp_path / "clone")   # fsck --strict on the remote, and a clone
    clone = tmp_path / "clone"
    assert files_of(clone / "official") == DAY2
    listed = {item["path"] for item in read_json(clone / "manifests/site.json")["files"]}
    # Every output the site's manifest lists is in the commit (the attachments' copies too), besides the build state.
    assert {p[len("site/"):] for p in paths if p.startswith("site/") and not p.startswith("site/.build-")} == listed
    site = files_of(clone / "site")
    assert PHOTO in site.values() and REPORT[::-1] in site.values() and REPORT not in site.values()
    # Another fresh runner that only pulls and publishes (nothing promoted: no official/, the site without its
    # attachments) commits nothing: what its disk lacks is the tip's, not a deletion.
    tip = git("--git-dir", str(bare), "rev-parse", BRANCH).decode().strip()
    other = Runner(tmp_path / "other", url, **env)
    layout = other.pull("day-3")
    assert publish.tasks(other.cfg, layout)["actions"][0]() is not False
    assert git("--git-dir", str(bare), "rev-parse", BRANCH).decode().strip() == tip
