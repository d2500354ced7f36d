"""Git LFS for files over the size limit: pointers and .gitattributes git understands, objects in the remote's store."""
import hashlib
import logging
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.core.errors import PublishError
from lib.core.fsutil import tree_manifest, write_json_atomic
from lib.git.lfs import LocalStore, _quote, _unquote, attributes, parse_pointer, pointers_in_tree
from lib.git.lfs_remote import POLICY, HttpRemote, endpoint, open_remote, push_objects
from lib.http.retry import RetryPolicy
from lib.git.objects import open_repo
from lib.git.remote import fetch_branch, push_branch
from lib.git.restore import restore_from_tip
from lib.git.commit_snapshot import snapshot_directory
from lib.git.verify import verify_branch
from tests.fakes.lfs_server import FakeLFS
from tests.lib.git.gitutil import BRANCH, fsck, git, ls_tree

LIMIT = 64 * 1024
BIG = "Big deck 1f2e3d4c.pdf"
CREDS = ("x-access-token", "lfs-secret-token")


def make_backups(root, seed=b"one"):
    """official/ with two pages and one file over LIMIT (also linked into site/ as the renderer does)."""
    official, site = root / "official", root / "site"
    (official / "Team * [notes]").mkdir(parents=True)
    site.mkdir()
    (official / "Home.md").write_text("# Home\n")
    (official / "Team * [notes]" / "Plan.md").write_text("# Plan\n")
    big = official / "Team * [notes]" / BIG
    big.write_bytes(hashlib.sha512(seed).digest() * (LIMIT // 64 + 100))
    os.link(big, site / BIG)
    manifest = tree_manifest(official)
    write_json_atomic(root / "manifests" / "snapshot.json", {"run_id": seed.decode(), "files": manifest["files"]})
    return root, big


def commit(repo, backups, lfs=True):
    """A snapshot commit with the size limit at LIMIT."""
    return snapshot_directory(str(repo), str(backups), BRANCH, "snap", max_file_bytes=LIMIT, lfs=lfs)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.binary(min_size=1, max_size=12).filter(lambda b: b"\x00" not in b and b"/" not in b),
                min_size=1, max_size=3))
def test_any_path_survives_the_gitattributes_quoting(parts):
    path = b"/".join(parts)
    assert _unquote(_quote(path)) == path


def test_git_reads_the_attributes_as_naming_exactly_the_large_files(tmp_path):
    names = [b'official/a b"c*.bin', b"official/[x]?.pdf", "site/ünï\tcode.bin".encode(), b"official/#hash.bin"]
    work = tmp_path / "work"
    git("init", "-q", str(work))
    (work / ".gitattributes").write_bytes(attributes(names))
    out = git("check-attr", "-z", "filter", "--", *[n.decode() for n in names], "official/a b.bin", "official/x.pdf",
              cwd=work).split(b"\x00")
    verdicts = dict(zip(out[0::3], out[2::3]))
    assert [verdicts[name] for name in names] == [b"lfs"] * len(names)
    assert verdicts[b"official/a b.bin"] == verdicts[b"official/x.pdf"] == b"unspecified"


def test_a_large_file_is_committed_as_a_pointer_and_its_object_is_a_hard_link(tmp_path):
    backups, big = make_backups(tmp_path / "backups")
    repo = tmp_path / "cache.git"
    result = commit(repo, backups)
    oid = hashlib.sha256(big.read_bytes()).hexdigest()
    assert [item["oid"] for item in result["lfs"]] == [oid, oid]          # official/ and site/: one object
    tree = ls_tree(repo)
    pointer = git("--git-dir", str(repo), "cat-file", "blob", tree[f"official/Team * [notes]/{BIG}".encode()][1])
    assert parse_pointer(pointer) == (oid, big.stat().st_size)
    assert pointer.startswith(b"version https://git-lfs.github.com/spec/v1\noid sha256:")
    assert b".gitattributes" in tree
    store = LocalStore(repo / "lfs")
    assert os.stat(store.path(oid)).st_ino == big.stat().st_ino           # no second copy on disk
    fsck(repo)
    with open_repo(str(repo)) as handle:
        found = pointers_in_tree(handle.object_store, handle[handle.refs[b"refs/heads/" + BRANCH.encode()]].tree)
    assert sorted(p for p, _, _ in found) == [f"official/Team * [notes]/{BIG}".encode(), f"site/{BIG}".encode()]
    assert verify_branch(str(repo), BRANCH)["ok"]


def test_without_lfs_the_large_file_is_left_out_and_listed(tmp_path):
    backups, _ = make_backups(tmp_path / "backups")
    result = commit(tmp_path / "cache.git", backups, lfs=False)
    assert {item["path"] for item in result["skipped_large"]} == {f"official/Team * [notes]/{BIG}", f"site/{BIG}"}
    assert result["lfs"] == [] and b".gitattributes" not in ls_tree(tmp_path / "cache.git")


def test_local_remote_keeps_objects_in_its_lfs_folder_and_a_fresh_runner_restores_them(tmp_path):
    backups, big = make_backups(tmp_path / "backups")
    remote, repo, fresh = tmp_path / "remote.git", tmp_path / "cache.git", tmp_path / "fresh.git"
    git("init", "-q", "--bare", str(remote))
    commit(repo, backups)
    store = open_remote(endpoint("", str(remote)))
    assert push_objects(str(repo), BRANCH, store) == 1
    assert push_objects(str(repo), BRANCH, store) == 0                    # already there: nothing sent
    push_branch(str(repo), str(remote), BRANCH)
    oid = hashlib.sha256(big.read_bytes()).hexdigest()
    assert LocalStore(remote / "lfs").has(oid, big.stat().st_size)
    fetch_branch(str(fresh), str(remote), BRANCH)
    restored = tmp_path / "restored"
    summary = restore_from_tip(str(fresh), BRANCH, str(restored), parts=("official", "site", "manifests"),
                               lfs_remote=store)
    assert summary["restored"] == ["official", "site", "manifests"] and summary["lfs_unavailable"] == {}
    assert (restored / "official" / "Team * [notes]" / BIG).read_bytes() == big.read_bytes()
    assert (restored / "site" / BIG).read_bytes() == big.read_bytes()


def test_a_part_whose_lfs_objects_cannot_be_had_is_not_restored_and_says_why(tmp_path, caplog):
    backups, _ = make_backups(tmp_path / "backups")
    remote, repo, fresh = tmp_path / "remote.git", tmp_path / "cache.git", tmp_path / "fresh.git"
    git("init", "-q", "--bare", str(remote))
    commit(repo, backups)
    push_branch(str(repo), str(remote), BRANCH)                            # the objects were never uploaded
    fetch_branch(str(fresh), str(remote), BRANCH)
    restored = tmp_path / "restored"
    summary = restore_from_tip(str(fresh), BRANCH, str(restored), parts=("official", "site", "manifests"),
                               lfs_remote=open_remote(endpoint("", str(remote))))
    assert summary["restored"] == ["manifests"]
    assert set(summary["lfs_unavailable"]) == {"official", "site"} and "is not in" in summary["lfs_unavailable"]["site"]
    assert not (restored / "official").exists() and not (restored / "site").exists()   # never a pointer as content


def test_http_lfs_server_gets_objects_with_the_batch_api_and_never_our_token_on_its_storage_host(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    backups, big = make_backups(tmp_path / "backups")
    repo, fresh_store = tmp_path / "cache.git", LocalStore(tmp_path / "fresh-lfs")
    commit(repo, backups)
    oid, size = hashlib.sha256(big.read_bytes()).hexdigest(), big.stat().st_size
    with FakeLFS(fail_uploads=1) as lfs:
        store = open_remote(lfs.url, CREDS)
        assert push_objects(str(repo), BRANCH, store) == 1                # a 503 on the first PUT is retried
        assert lfs.objects() == [oid]
        assert store.missing([(oid, size)]) == []
        store.download(oid, size, fresh_store)
        assert open(fresh_store.path(oid), "rb").read() == big.read_bytes()
        api, storage = lfs.calls(role="api"), lfs.calls(role="storage")
        assert api and all(r["auth"].startswith("Basic ") for r in api)
        assert storage and all(r["auth"] == lfs.ticket(oid) for r in storage)
        lfs.drop(oid)
        assert store.missing([(oid, size)]) == [(oid, size)]
        with pytest.raises(PublishError) as refused:
            open_remote(lfs.url, ("x-access-token", "ghp_WrongLfsToken123456")).missing([(oid, size)])
    assert "refused (HTTP 401)" in str(refused.value) and "BACKUP_LFS" in str(refused.value)
    assert "ghp_WrongLfsToken123456" not in str(refused.value)
    assert CREDS[1] not in "\n".join(record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("retry_after", [None, 1])
def test_an_upload_answered_503_waits_before_each_retry_then_lands(tmp_path, retry_after):
    backups, big = make_backups(tmp_path / "backups")
    commit(tmp_path / "cache.git", backups)
    with FakeLFS(fail_uploads=2, retry_after=retry_after) as lfs:
        store, waits = open_remote(lfs.url, CREDS), []
        store.retry.hooks.append(lambda what, attempt, delay, reason: waits.append(delay))
        assert push_objects(str(tmp_path / "cache.git"), BRANCH, store) == 1
        assert lfs.objects() == [hashlib.sha256(big.read_bytes()).hexdigest()]
        puts = [r["time"] for r in lfs.calls("PUT")]
    assert len(puts) == 3 and len(waits) == 2 and store.retry.count == 2
    if retry_after is None:   # the backoff: doubling from POLICY.base, jitter shortening each wait by half at most
        assert POLICY.base / 2 <= waits[0] <= POLICY.base and POLICY.base <= waits[1] <= 2 * POLICY.base
    else:
        assert waits == [retry_after, retry_after]
    assert all(later - earlier >= wait for earlier, later, wait in zip(puts, puts[1:], waits)), "no pause was made"


def test_an_upload_failing_past_its_retries_is_a_publish_error(tmp_path):
    backups, _ = make_backups(tmp_path / "backups")
    commit(tmp_path / "cache.git", backups)
    with FakeLFS(fail_uploads=99) as lfs:
        store = HttpRemote(lfs.url, CREDS, policy=RetryPolicy(retries=2, base=0.01, cap=0.01))
        with pytest.raises(PublishError, match=r"LFS upload of \w+ at .* failed after 3 attempts: HTTP 503"):
            push_objects(str(tmp_path / "cache.git"), BRANCH, store)
        assert len(lfs.calls("PUT")) == 3 and lfs.objects() == []


def test_verify_compares_pointers_with_the_manifest(tmp_path):
    backups, big = make_backups(tmp_path / "backups")
    repo = tmp_path / "cache.git"
    big.unlink()
    big.write_bytes(b"changed after the manifest was written" * 3000)
    commit(repo, backups)
    result = verify_branch(str(repo), BRANCH)
    assert not result["ok"] and any("Git LFS pointer" in problem and BIG in problem for problem in result["problems"])
