"""Content of a real workspace never stops the backup: each reported defect through the real stages and real git."""
import json
import os
import subprocess
import zipfile

import pytest

from tests.lib.archive.hostile_zips import EXPORT_ROOT, notion_wrapper, zip_bytes
from tests.lib.git.gitutil import git
from tests.stages_inprocess import GIT, Refused, Runner, check_branch

ID = "0123456789abcdef0123456789abcdef"
HOME = f"Home {ID}.md"
GOOD = {HOME: b"# Home\n\nfirst snapshot\n", "Home/photo.png": b"\x89PNG\r\n\x1a\n"}


@pytest.fixture()
def world(tmp_path):
    """A checkout that already published a good snapshot, its bare remote, and a place for fresh runners."""
    remote = tmp_path / "remote.git"
    git("init", "-q", "--bare", str(remote))
    runner = Runner(tmp_path / "runner", remote)
    (tmp_path / "good.zip").write_bytes(notion_wrapper({1: GOOD}))
    runner.backup(tmp_path / "good.zip", "good")
    return runner, remote, tmp_path


def back_up(world, files=None, data=None, run_id="next"):
    """Publish an export of `files` (or the ZIP bytes `data`); return the promoted snapshot.json."""
    runner, _, tmp = world
    (tmp / f"{run_id}.zip").write_bytes(data if data is not None else notion_wrapper({1: files}))
    runner.backup(tmp / f"{run_id}.zip", run_id)
    return runner.snapshot()


def reachable(world, snapshot, files):
    """Assert every file of the export is in official/ under its own name or the one snapshot.json reports."""
    renamed = {r["renamed_from"]: r["path"] for r in snapshot["renames"]}
    official = world[0].root / "backups" / "official"
    for raw, data in files.items():
        assert (official / renamed.get(raw, raw)).read_bytes() == data, raw
    return renamed


def fresh_pull(world, name="fresh"):
    """A new runner's pull restores the branch; return its backups folder."""
    runner = Runner(world[2] / name, world[1])
    runner.pull()
    return runner.root / "backups"


@pytest.mark.parametrize("folder", [".git", ".GIT", "Home/.Git", ".git.", "Home/.git ", "git~1", "GIT~1",
                                    ".g\u200cit", "\ufeff.git", "Home/deep/.git"])
def test_a_git_folder_in_the_export_is_kept_renamed_and_the_branch_stays_usable(world, folder):
    marker = world[2] / "fsmonitor-ran"
    files = dict(GOOD, **{f"{folder}/config": f"[core]\n\tfsmonitor = touch {marker}\n".encode(),
                          f"{folder}/HEAD": b"ref: refs/heads/main\n"})
    snapshot = back_up(world, files)
    renamed = reachable(world, snapshot, files)
    assert set(renamed) == {f"{folder}/config", f"{folder}/HEAD"}
    paths = check_branch(world[1], world[2] / "clone")
    assert f"official/{renamed[folder + '/config']}" in paths
    restored = fresh_pull(world)
    assert (restored / "official" / renamed[f"{folder}/config"]).exists()
    # git run inside the backup never reads the export's config as a repository's.
    inside = world[0].root / "backups" / "official" / os.path.dirname(renamed[f"{folder}/config"])
    subprocess.run(["git", "status"], cwd=inside, capture_output=True, env=GIT)
    assert not marker.exists()


@pytest.mark.parametrize("name", [".gitmodules", "Home/.gitmodules", ".GITMODULES", "gitmod~1", ".gitattributes"])
def test_gits_own_dot_files_in_the_export_are_renamed(world, name):
    body = b'[submodule "x"]\n\tpath = x\n\turl = --upload-pack=touch /tmp/pwned\n'
    snapshot = back_up(world, dict(GOOD, **{name: body}))
    assert reachable(world, snapshot, {name: body})[name].rsplit("/", 1)[-1] == "_" + name.rsplit("/", 1)[-1]
    check_branch(world[1], world[2] / "clone")
    fresh_pull(world)


def test_windows_device_names_and_trailing_dots_are_renamed_and_reported(world):
    files = dict(GOOD, **{"CON": b"1", "aux.md": b"# aux\n", "Home/LPT1.txt": b"3", "Home/com9.tar.gz": b"4",
                          "Notes./a.md": b"# a\n", "Home/draft ": b"6", "nul .txt": b"7"})
    snapshot = back_up(world, files)
    renamed = reachable(world, snapshot, files)
    assert renamed == {"CON": "_CON", "aux.md": "_aux.md", "Home/LPT1.txt": "Home/_LPT1.txt",
                       "Home/com9.tar.gz": "Home/_com9.tar.gz", "Notes./a.md": "Notes_/a.md",
                       "Home/draft ": "Home/draft_", "nul .txt": "_nul .txt"}
    reasons = {r["renamed_from"]: r["reason"] for r in snapshot["renames"]}
    assert "Windows device name" in reasons["CON"] and "dot or space" in reasons["Notes./a.md"]
    check_branch(world[1], world[2] / "clone")
    fresh_pull(world)


def test_a_72_character_cjk_title_renders_and_publishes(world):
    home = f"Home {'1' * 32}.md"
    files = {f"{'会' * n} {ID[:-2]}{n}.md": f"# {'会' * n}\n".encode() for n in (72, 73)}
    files[f"{'会' * 80} {ID}.md"] = b"# long\n"
    files[home] = ("# Home\n\n" + "\n\n".join(f"[p{i}]({name.replace(' ', '%20')})"
                                               for i, name in enumerate(files))).encode()
    snapshot = back_up(world, files)
    reachable(world, snapshot, files)
    site = json.loads((world[0].root / "backups" / "manifests" / "site.json").read_text())
    assert site["pages"] == 4 and site["broken_links"] == []
    assert all(len(os.path.basename(f["path"]).encode()) <= 255 for f in site["files"])
    check_branch(world[1], world[2] / "clone")
    fresh_pull(world)


def test_an_html_attachment_beside_its_page_never_replaces_the_rendered_page(world):
    script = b"<script>alert('not the page')</script>"
    files = dict(GOOD, **{f"X {ID}.md": b"# X\n\nthe page itself\n", f"X {ID}.html": script})
    back_up(world, files)
    site = world[0].root / "backups" / "site"
    assert (site / f"X {ID}.html").read_bytes() == script
    pages = [p for p in site.glob(f"X *{ID}.html") if p.name != f"X {ID}.html"]
    assert len(pages) == 1 and "the page itself" in pages[0].read_text(encoding="utf-8")


def nested_roots(levels):
    """A few-KB download whose roots hold roots of their own, `levels` deep."""
    inner = zip_bytes({HOME: b"# Home\n"}, prefix=EXPORT_ROOT + "/")
    for _ in range(levels):
        inner = zip_bytes({f"Root-{'1' * 32}.zip": inner, f"Root-{'2' * 32}.zip": inner})
    return inner


@pytest.mark.parametrize("case", ["nested_roots", "thousand_folders"])
def test_bombs_are_refused_as_exit_1_and_the_published_snapshot_stays(world, case):
    runner, remote, _ = world
    before_snapshot, tip = runner.snapshot(), git("--git-dir", str(remote), "rev-parse", "notion-backups")
    data = nested_roots(13) if case == "nested_roots" else notion_wrapper(
        {1: dict(GOOD, **{"/".join(["a"] * 1000) + "/x.md": b"deep"})})
    with pytest.raises(Refused) as refused:  # the stage's TaskFailed: exit 1, never a RecursionError
        back_up(world, data=data)
    assert refused.value.stage == "shard_expand"
    assert runner.snapshot() == before_snapshot
    assert git("--git-dir", str(remote), "rev-parse", "notion-backups") == tip
    assert (fresh_pull(world) / "official" / HOME).read_bytes() == GOOD[HOME]


def test_unwrapped_export_renames_reach_the_snapshot(world):
    files = {f"{EXPORT_ROOT}/{HOME}": b"# Home\n\n[c](CON.md)\n", f"{EXPORT_ROOT}/CON.md": b"# con\n"}
    snapshot = back_up(world, data=zip_bytes(files, method=zipfile.ZIP_DEFLATED))
    assert {r["renamed_from"]: r["path"] for r in snapshot["renames"]} == {"CON.md": "_CON.md"}
    site = json.loads((world[0].root / "backups" / "manifests" / "site.json").read_text())
    assert site["broken_links"] == []


@pytest.mark.parametrize("where", ["part", "wrapper"])
def test_a_gitmodules_symlink_is_refused_and_the_published_snapshot_stays(world, where):
    from tests.lib.archive.hostile_zips import SYMLINK_ATTR, raw_zip
    link = {"name": b".gitmodules", "data": b"../../../etc/passwd", "method": 0, "create_system": 3,
            "external_attr": SYMLINK_ATTR}
    part = raw_zip([{"name": HOME.encode(), "data": b"# Home\n"}, link])
    data = zip_bytes({f"{EXPORT_ROOT}-Part-1.zip": part}, method=zipfile.ZIP_STORED) if where == "part" else part
    runner, remote, _ = world
    before, tip = runner.snapshot(), git("--git-dir", str(remote), "rev-parse", "notion-backups")
    with pytest.raises(Refused, match="symbolic link"):
        back_up(world, data=data)
    assert runner.snapshot() == before and git("--git-dir", str(remote), "rev-parse", "notion-backups") == tip
