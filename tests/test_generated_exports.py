"""Generated exports with hostile and real-world names, through every stage from unpack to a fresh runner's pull.

Each run either succeeds, with every file of the export reachable under its own name or the one
snapshot.json reports, or refuses with exit 1 for a reason the README names, the published snapshot
left as it was. Never another exception (exit 2), never a branch that git or the next run cannot read.
"""
import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import event, given, settings, strategies as st

from lib.archive.names import CLASH
from lib.core.filenames import NAME_MAX
from lib.site.links import SiteIndex
from tests.lib.archive.hostile_zips import EXPORT_ROOT, notion_wrapper, zip_bytes
from tests.lib.git.gitutil import git
from tests.stages_inprocess import Refused, Runner, check_branch

HEX = "0123456789abcdef"
GOOD = {f"Home {'a' * 32}.md": b"# Home\n\nthe previous snapshot\n"}
# What a refusal may say: the README's reasons for refusing an archive, nothing else.
REFUSALS = ("folders deep", "'..' component", "drive letter", "so the full path stays under",
            "roots are expanded only at the top", "absolute path")
HOSTILE = [".git", ".GIT", ".git.", ".git ", "git~1", ".g\u200cit", "\ufeff.git", ".gitmodules", "gitmod~1",
           ".gitattributes", "CON", "con", "aux", "Aux.md", "LPT1", "nul.txt", "COM9", "notes.", "notes ", " ",
           "...", "\u200c", "a?b", "a_b", "a:b", 'x"y', "tab\there", "ctl\x01\x1f\x7f", "Notes", "notes",
           "NOTES", "é", "e\u0301", "index", "index.html", "_site", "会" * 73, "会" * 90, "😀" * 70, "Ünïcode " * 40,
           "C:", "back\\slash", "..\\up", "%20 #1?", "[link](x)", "²", "Area ³", "٣", "①", "<b>x</b>",
           "Backup-Part-1.zip", f"Root-{'4' * 32}.zip", "x.zip"]
NAMES = st.one_of(st.sampled_from(HOSTILE),
                  st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"),
                          min_size=1, max_size=24)).filter(lambda n: n not in (".", ".."))
IDS = st.one_of(st.just(""), st.text(HEX, min_size=32, max_size=32).map(lambda h: " " + h))


@st.composite
def export_trees(draw):
    """Return {export path: bytes}: pages linking to each other, databases, attachments, folders, deep chains."""
    folders, files, titles = [""], {}, {}
    for _ in range(draw(st.integers(1, 14))):
        parent = draw(st.sampled_from(folders))
        name, ident = draw(NAMES), draw(IDS)
        kind = draw(st.sampled_from(["page", "page", "attachment", "database", "twin", "folder"]))
        base = parent + name + ident
        if kind == "folder":
            folders.append(base + "/")
        elif kind == "database":
            files[base + ".csv"] = "\ufeffName\nrow\n".encode()
            files[base + "_all.csv"] = "\ufeffName,More\nrow,x\n".encode()
        elif kind == "attachment" and base != "index.html":  # a root index.html is Notion's own listing
            files[base] = draw(st.binary(max_size=64))
        elif kind in ("page", "twin"):
            titles[base + ".md"] = name.replace("\n", " ")  # written below, once every target is known
            if kind == "twin" and base != "index":  # an attachment named like the page's own site output
                files[base + ".html"] = b"<script>document.title='attachment'</script>"
        for path in [p for p in titles if p in files]:  # a later file took that page's name
            del titles[path]
    files.update(dict.fromkeys(titles, b""))
    if draw(st.integers(0, 9)) == 0:
        depth = draw(st.integers(100, 140))
        files["/".join(["d"] * depth) + "/deep.md"] = b"# deep\n"
    for page, title in titles.items():
        targets = draw(st.lists(st.sampled_from(sorted(files)), max_size=3))
        here = os.path.dirname(page)
        links = [f"[link]({quote(os.path.relpath(t, here or '.'), safe='/')})" for t in targets]
        files[page] = ("# " + title + "\n\n" + "\n\n".join(links) + "\n").encode()
    return files


@st.composite
def downloads(draw):
    """Return (ZIP bytes, {tree path: bytes} expected, layout): parts, unwrapped, roots, flags, nested roots."""
    files = draw(export_trees())
    layout = draw(st.sampled_from(["parts", "parts", "unwrapped", "roots", "nested_roots"]))
    flag = draw(st.booleans())
    if layout in ("parts", "unwrapped"):
        if layout == "unwrapped":
            return zip_bytes(files, prefix=EXPORT_ROOT + "/", utf8_flag=flag), files, layout
        count = draw(st.integers(1, 3))
        parts = {n + 1: {} for n in range(count)}
        for i, (name, data) in enumerate(sorted(files.items())):
            parts[i % count + 1][name] = data
        return notion_wrapper(parts, utf8_flag=flag), files, layout
    roots, expected = {}, {}
    for n, (name, data) in enumerate(sorted(files.items())):
        root = str(n % 2 + 1) * 32
        roots.setdefault(root, {})[name] = data
        expected[f"{root}/{name}"] = data
    members = {f"Root-{root}.zip": notion_wrapper({1: tree}, utf8_flag=flag) for root, tree in roots.items()}
    if layout == "nested_roots":
        members = {f"Root-{'3' * 32}.zip": zip_bytes(members, method=zipfile.ZIP_STORED)}
    return zip_bytes(members, method=zipfile.ZIP_STORED), expected, layout


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A checkout that published one good snapshot to its bare remote; every example starts from a copy."""
    base = tmp_path_factory.mktemp("published")
    git("init", "-q", "--bare", str(base / "remote.git"))
    (base / "good.zip").write_bytes(notion_wrapper({1: GOOD}))
    Runner(base / "runner", base / "remote.git").backup(base / "good.zip", "good")
    return base


def check_download(published, download):
    """Run one generated download through every stage and judge the outcome."""
    data, expected, layout = download
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        shutil.copytree(published, tmp, dirs_exist_ok=True, symlinks=True)
        runner, remote = Runner(tmp / "runner", tmp / "remote.git"), tmp / "remote.git"
        before, tip = runner.snapshot(), git("--git-dir", str(remote), "rev-parse", "notion-backups")
        (tmp / "export.zip").write_bytes(data)
        try:
            runner.backup(tmp / "export.zip", "generated")
        except Refused as refused:
            event(f"refused by {refused.stage}")
            assert refused.stage in ("unpack", "shard_expand") and any(r in str(refused) for r in REFUSALS), refused
            assert runner.snapshot() == before
            assert git("--git-dir", str(remote), "rev-parse", "notion-backups") == tip
            return
        event("published")
        snapshot = runner.snapshot()
        check_reachable(runner.root / "backups", snapshot, expected)
        check_site(runner.root / "backups", snapshot, layout)
        check_branch(remote, tmp / "clone")
        fresh = Runner(tmp / "fresh", remote)
        fresh.pull()
        restored = fresh.root / "backups" / "official"
        assert {f["path"]: f["sha256"] for f in snapshot["files"]} == {
            p.relative_to(restored).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in restored.rglob("*") if p.is_file()}


def check_reachable(backups, snapshot, expected):
    """Every file of the export is in official/ under its name or its reported one; names fit."""
    renamed = {r["renamed_from"]: r["path"] for r in snapshot["renames"]}
    if renamed:
        event("renamed")
    kept = {p.relative_to(backups / "official").as_posix() for p in (backups / "official").rglob("*") if p.is_file()}
    for raw, data in expected.items():
        path = renamed.get(raw, raw)
        assert (backups / "official" / path).read_bytes() == data, (raw, path)
        kept.discard(path)
    assert not kept, f"files in the snapshot that the export did not hold: {sorted(kept)[:5]}"
    for path in [f["path"] for f in snapshot["files"]]:
        assert all(0 < len(part.encode()) <= NAME_MAX for part in path.split("/")), path


def check_site(backups, snapshot, layout):
    """Every page renders to its own HTML, every attachment is copied as it is, names fit, links follow renames."""
    site = backups / "site"
    # Generated links are relative within the whole tree (roots split it), and a folder that stepped aside
    # for a file of its name takes that name's links: elsewhere every link must resolve.
    if layout != "roots" and not any(CLASH in r["reason"] for r in snapshot["renames"]):
        assert json.loads((backups / "manifests" / "site.json").read_text())["broken_links"] == []
    index = SiteIndex([f["path"] for f in snapshot["files"]], snapshot["renames"])
    for rel, kind in index.kind.items():
        if kind == "page":
            assert (site / index.out[rel]).read_bytes().startswith(b"<!DOCTYPE html>"), rel
        else:
            assert (site / index.copies[rel]).read_bytes() == (backups / "official" / rel).read_bytes(), rel
    for path in site.rglob("*"):
        assert len(path.name.encode()) <= NAME_MAX and not path.name.endswith(".part"), path


@settings(max_examples=max(8, settings.default.max_examples // 8))
@given(downloads())
def test_generated_download_publishes_or_refuses_cleanly(published, download):
    check_download(published, download)
