"""Fetch and push over smart HTTP with Basic auth (`git http-backend` on 127.0.0.1), plus crash and no-git runs."""
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lib.core.errors import PublishError
from lib.git.remote import fetch_branch, push_branch
from lib.git.commit_snapshot import snapshot_directory
from lib.core.redact import redact
from tests.lib.git.gitutil import BRANCH, GitHTTPServer, fsck, git, log, ls_tree, rev
from tests.lib.git.test_snapshot import make_backups

ROOT = Path(__file__).resolve().parents[3]
TOKEN = "ghs_TopSecretPushToken1234567890"
CREDS = ("x-access-token", TOKEN)


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "srv"
    git("init", "-q", "--bare", "-b", "main", str(root / "backup.git"))
    with GitHTTPServer(root, password=TOKEN) as srv:
        yield srv


def test_push_fetch_and_incremental_push_over_http(tmp_path, server, caplog):
    caplog.set_level(logging.DEBUG)
    url, remote_dir = server.url("backup.git"), Path(server.root) / "backup.git"
    cache, backups = tmp_path / "cache.git", make_backups(tmp_path / "backups")
    assert fetch_branch(str(cache), url, BRANCH, CREDS) is None
    first = snapshot_directory(str(cache), str(backups), BRANCH, "first")
    assert push_branch(str(cache), url, BRANCH, CREDS)["pushed"]
    assert rev(remote_dir, BRANCH) == first["commit"]
    # A second runner with an empty cache continues the history over HTTP.
    other = tmp_path / "other.git"
    assert fetch_branch(str(other), url, BRANCH, CREDS) == first["commit"]
    (backups / "official" / "added.md").write_text("added\n")
    second = snapshot_directory(str(other), str(backups), BRANCH, "second")
    assert second["parent"] == first["commit"]
    push_branch(str(other), url, BRANCH, CREDS)
    assert [c[0] for c in log(remote_dir)] == [second["commit"], first["commit"]]
    assert ls_tree(remote_dir) == ls_tree(other)
    fsck(remote_dir)
    assert all(TOKEN not in r["path"] for r in server.requests)
    assert all(r["auth"] for r in server.requests)            # Basic auth header, never URL user info
    assert TOKEN not in "\n".join(r.getMessage() for r in caplog.records)


def test_remote_moved_over_http_is_reparented(tmp_path, server):
    url, remote_dir = server.url("backup.git"), Path(server.root) / "backup.git"
    cache, backups = tmp_path / "cache.git", make_backups(tmp_path / "backups")
    snapshot_directory(str(cache), str(backups), BRANCH, "first")
    push_branch(str(cache), url, BRANCH, CREDS)
    other = tmp_path / "other.git"
    fetch_branch(str(other), str(remote_dir), BRANCH)
    (backups / "official" / "theirs.md").write_text("theirs\n")
    theirs = snapshot_directory(str(other), str(backups), BRANCH, "theirs")
    push_branch(str(other), str(remote_dir), BRANCH)
    (backups / "official" / "ours.md").write_text("ours\n")
    ours = snapshot_directory(str(cache), str(backups), BRANCH, "ours")
    result = push_branch(str(cache), url, BRANCH, CREDS)
    assert result["attempts"] == 2
    history = log(remote_dir)
    assert history[0][1] == [theirs["commit"]] and history[0][2] == "ours"
    assert git("--git-dir", str(remote_dir), "rev-parse", f"{BRANCH}^{{tree}}").decode().strip() == ours["tree"]
    fsck(remote_dir)


def test_wrong_token_is_a_clear_error_and_never_printed(tmp_path, server, caplog):
    caplog.set_level(logging.DEBUG)
    url, remote_dir = server.url("backup.git"), Path(server.root) / "backup.git"
    cache, backups = tmp_path / "cache.git", make_backups(tmp_path / "backups")
    snapshot_directory(str(cache), str(backups), BRANCH, "first")
    wrong = "ghp_WrongTokenValue0987654321"
    for action in (lambda: push_branch(str(cache), url, BRANCH, ("x-access-token", wrong)),
                   lambda: fetch_branch(str(cache), url, BRANCH, ("x-access-token", wrong))):
        with pytest.raises(PublishError) as caught:
            action()
        text = str(caught.value)
        assert "rejected the credentials" in text and "BACKUP_PUSH_TOKEN" in text
        assert wrong not in text and wrong not in repr(caught.value.__cause__)
    assert rev(remote_dir, BRANCH) is None
    logged = "\n".join(redact(r.getMessage()) + r.getMessage() for r in caplog.records)
    assert wrong not in logged and TOKEN not in logged


def test_unreachable_http_remote_is_a_clear_error(tmp_path):
    with pytest.raises(PublishError, match="unreachable") as caught:
        fetch_branch(str(tmp_path / "cache.git"), "http://127.0.0.1:9/none.git", BRANCH, CREDS)
    assert TOKEN not in str(caught.value)


PUBLISH = """
import shutil, sys
from lib.git.remote import fetch_branch, push_branch
from lib.git.commit_snapshot import snapshot_directory
assert shutil.which('git') is None, 'git still on PATH'
cache, backups, url, token = sys.argv[1:5]
creds = ('x-access-token', token) if token != '-' else None
fetch_branch(cache, url, 'notion-backups', creds)
snapshot_directory(cache, backups, 'notion-backups', 'snap ' + sys.argv[5])
print(push_branch(cache, url, 'notion-backups', creds)['remote_tip'])
"""


def run_publish(cache, backups, url, token, label, **kwargs):
    """Start fetch + snapshot + push in a child process whose PATH holds no git."""
    env = dict(os.environ, PATH="/nonexistent", PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-c", PUBLISH, str(cache), str(backups), url, token, label],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


def test_publish_runs_with_git_removed_from_path(tmp_path, server):
    url, remote_dir = server.url("backup.git"), Path(server.root) / "backup.git"
    backups = make_backups(tmp_path / "backups")
    proc = run_publish(tmp_path / "cache.git", backups, url, TOKEN, "no-git")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err.decode()
    assert rev(remote_dir, BRANCH) == out.decode().strip()
    assert TOKEN.encode() not in out + err
    fsck(remote_dir)


@pytest.mark.parametrize("kind", ["path", "http"])
def test_killed_during_push_then_rerun_publishes_cleanly(tmp_path, server, kind):
    remote_dir = Path(server.root) / "backup.git"
    url = str(remote_dir) if kind == "path" else server.url("backup.git")
    backups = make_backups(tmp_path / "backups")
    with open(backups / "official" / "blob.bin", "wb") as handle:   # enough bytes to be mid-push when killed
        handle.write(os.urandom(12 << 20))
    cache = tmp_path / "cache.git"
    snapshot_directory(str(cache), str(backups), BRANCH, "prepared")  # the child's snapshot is then a no-op
    pack_dir = remote_dir / "objects" / "pack"
    before = set(os.listdir(pack_dir))
    proc = run_publish(cache, backups, url, TOKEN, "killed")
    deadline = time.monotonic() + 30

    def pushing():
        if kind == "http":
            return any(r["path"].endswith("git-receive-pack") and r["method"] == "POST" for r in server.requests)
        return set(os.listdir(pack_dir)) != before             # the receiving side started a pack
    while not pushing() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL                  # killed mid-push, not after it finished
    assert rev(remote_dir, BRANCH) is None
    rerun = run_publish(cache, backups, url, TOKEN, "rerun")
    out, err = rerun.communicate(timeout=90)
    assert rerun.returncode == 0, err.decode()
    assert rev(remote_dir, BRANCH) == rev(cache, BRANCH) == out.decode().strip()
    assert len(log(remote_dir)) == 1
    fsck(remote_dir)
    fsck(cache)


def test_hook_rejection_is_final_and_names_the_reason(tmp_path, server):
    remote_dir = Path(server.root) / "backup.git"
    hook = remote_dir / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'protected branch' >&2\nexit 1\n")
    hook.chmod(0o755)
    cache = tmp_path / "cache.git"
    snapshot_directory(str(cache), str(make_backups(tmp_path / "backups")), BRANCH, "first")
    with pytest.raises(PublishError) as caught:
        push_branch(str(cache), server.url("backup.git"), BRANCH, CREDS)
    assert "rejected" in str(caught.value) and "hook" in str(caught.value)
    posts = [r for r in server.requests if r["path"].endswith("git-receive-pack") and r["method"] == "POST"]
    assert len(posts) == 1                                     # not retried: a refusal is not a moved remote
    assert rev(remote_dir, BRANCH) is None


def test_checkout_extraheader_in_repo_config_does_not_replace_our_token(tmp_path, server):
    # actions/checkout leaves `http.<url>.extraheader = AUTHORIZATION: basic ...` in the project's config.
    url, remote_dir = server.url("backup.git"), Path(server.root) / "backup.git"
    project = tmp_path / "project"
    git("init", "-q", "-b", "main", str(project))
    git("config", f"http.{url}.extraheader", "AUTHORIZATION: basic eC1hY2Nlc3MtdG9rZW46c3RhbGU=", cwd=project)
    snap = snapshot_directory(str(project), str(make_backups(tmp_path / "backups")), BRANCH, "first")
    assert push_branch(str(project), url, BRANCH, CREDS)["pushed"]
    assert rev(remote_dir, BRANCH) == snap["commit"]
    assert fetch_branch(str(project), url, BRANCH, CREDS) == snap["commit"]
