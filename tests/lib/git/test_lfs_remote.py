"""The remote's LFS store: git-lfs's endpoint for every kind of remote, credentials only where they belong, and no
pointer pushed whose object the store does not hold (issue 22)."""
import hashlib

import pytest

from lib.config import load_config
from lib.core.errors import PublishError
from lib.git.lfs_remote import endpoint, open_remote, push_objects
from lib.git.remote import push_branch
from lib.git.repo import lfs_credentials
from tests.fakes.lfs_server import FakeLFS
from tests.lib.git.gitutil import BRANCH, git
from tests.lib.git.test_lfs import commit, make_backups


@pytest.mark.parametrize("remote, wanted", [
    ("git@github.com:org/repo.git", "https://github.com/org/repo.git/info/lfs"),
    ("github.com:org/repo", "https://github.com/org/repo.git/info/lfs"),
    ("ssh://git@github.com:2222/org/repo.git", "https://github.com/org/repo.git/info/lfs"),
    ("git+ssh://git@host.example/a/b/", "https://host.example/a/b.git/info/lfs"),
    ("https://github.com/org/repo", "https://github.com/org/repo.git/info/lfs"),
    ("/srv/backup.git", "file:///srv/backup.git/lfs"),
])
def test_the_endpoint_is_git_lfs_own_https_url_never_a_folder_named_after_the_remote(remote, wanted):
    assert endpoint("", remote) == wanted
    assert open_remote(wanted).where.startswith(("https://", "/srv"))


def test_the_push_token_goes_to_the_remotes_own_host_over_https_only(tmp_path):
    cfg = load_config(tmp_path, {"BACKUP_PUSH_TOKEN": "push-token"})
    remote = "git@github.com:org/repo.git"
    assert lfs_credentials(cfg, endpoint("", remote), remote) == ("x-access-token", "push-token")
    assert lfs_credentials(cfg, "https://lfs.example.com/x", remote) is None
    assert lfs_credentials(cfg, "http://github.com/org/repo.git/info/lfs", remote) is None
    own = load_config(tmp_path, {"BACKUP_PUSH_TOKEN": "push-token", "BACKUP_LFS_TOKEN": "lfs-token",
                                 "BACKUP_LFS_URL": "https://lfs.example.com/x"})
    assert lfs_credentials(own, "https://lfs.example.com/x", remote) == ("x-access-token", "lfs-token")


def test_no_pointer_is_pushed_when_the_store_lost_its_object(tmp_path):
    backups, big = make_backups(tmp_path / "backups")
    repo, remote = tmp_path / "cache.git", tmp_path / "remote.git"
    git("init", "-q", "--bare", str(remote))
    commit(repo, backups)
    with FakeLFS(lose_uploads=1, expect_verify=False) as lfs:
        store = open_remote(lfs.url, (lfs.username, lfs.password))
        with pytest.raises(PublishError, match="not on .* after the upload"):
            push_objects(str(repo), BRANCH, store)
        assert lfs.objects() == []
        assert push_objects(str(repo), BRANCH, store) == 1     # the next try sends it, and only then the branch
        assert lfs.objects() == [hashlib.sha256(big.read_bytes()).hexdigest()]
    push_branch(str(repo), str(remote), BRANCH)
