"""Recover's paths under generated page trees and links: files land inside --to only, and every link of the
recovered page to a file the snapshot holds finds that file (issue 22: a link `../xy/tmp/x/PWNED.txt` wrote
/tmp/x/PWNED.txt; `../Home/pic x.png` came back where the link no longer found it)."""
import os
import posixpath
import shutil
import tempfile
from urllib.parse import quote

from dulwich.index import commit_tree
from dulwich.objects import Blob
from hypothesis import example, given
from hypothesis import strategies as st

from lib.git.objects import open_repo, update_ref, write_commit
from lib.git.recover import recover_page

BRANCH = "notion-backups"
PAGE_ID = "e" * 32
SEGMENT = st.sampled_from(["a", "me", "Home", "xy", "tmp", "x", "pic x", "Ünï", "b.c"])
FOLDER = st.lists(SEGMENT, max_size=3).map("/".join)
FILE = st.tuples(FOLDER, st.sampled_from(["pic x.png", "PWNED.txt", "a.pdf", "n%20m.bin"])).map(
    lambda parts: posixpath.join(*parts) if parts[0] else parts[1])


def build(repo_path, page, files, body):
    """Commit a snapshot whose official/ holds `page` (with `body`) and `files`, each holding its own path."""
    with open_repo(repo_path) as repo:
        entries = []
        for path, data in [(page, body)] + [(p, p.encode()) for p in files if p != page]:
            blob = Blob.from_string(data)
            repo.object_store.add_object(blob)
            entries.append((("official/" + path).encode(), blob.id, 0o100644))
        tree = commit_tree(repo.object_store, entries)
        commit = write_commit(repo, tree, [], "Snapshot run-1: 1 pages", None, when=1_800_000_000)
        update_ref(repo, b"refs/heads/" + BRANCH.encode(), None, commit)


def relative(page, target):
    """The link a page at `page` writes to `target` (both snapshot paths), URL-quoted as Notion writes it."""
    return quote(posixpath.relpath(target, posixpath.dirname(page) or "."))


def all_files(folder):
    """Every file path below `folder`."""
    return sorted(os.path.join(d, n) for d, _, names in os.walk(folder) for n in names)


@example(page_folder="a", files=["xy/tmp/x/PWNED.txt"], picks=[0], hostile=[])   # the report: /tmp/x/PWNED.txt
@example(page_folder="me", files=["Home/pic x.png"], picks=[0], hostile=[])        # came back as me/pic x.png
@given(page_folder=FOLDER, files=st.lists(FILE, max_size=6, unique=True),
       picks=st.lists(st.integers(0, 5), max_size=6),
       hostile=st.lists(st.tuples(st.integers(1, 6), FILE, st.booleans()), max_size=4))
def test_any_page_tree_and_any_links_write_inside_to_only_and_links_resolve(page_folder, files, picks, hostile):
    page = posixpath.join(page_folder, f"Victim {PAGE_ID}.md") if page_folder else f"Victim {PAGE_ID}.md"
    files = [f for f in files if not (f + "/").startswith(page[:-3] + "/") and f != page]
    linked = [files[i] for i in picks if i < len(files)]
    links = [relative(page, target) for target in linked]
    box = tempfile.mkdtemp()
    # Links that climb out of the snapshot or are absolute, aimed at a folder next to --to.
    links += [("../" * up if not absolute else os.path.join(box, "")) + quote(target)
              for up, target, absolute in hostile]
    body = ("# Victim\n\n" + "\n".join(f"[l{n}]({link})" for n, link in enumerate(links)) + "\n").encode()
    repo, dest = os.path.join(box, "repo.git"), os.path.join(box, "to")
    try:
        build(repo, page, files, body)
        before = set(all_files(box))
        done = recover_page(repo, BRANCH, PAGE_ID, "", dest)
        check_written(box, before, dest, done, page, linked)
    finally:
        shutil.rmtree(box)


def check_written(box, before, dest, done, page, linked):
    """Every new file is inside `dest`, and each link the page made to a held file finds that very file."""
    new = set(all_files(box)) - before
    assert all(os.path.realpath(p).startswith(os.path.realpath(dest) + os.sep) for p in new), sorted(new)
    assert len(new) == len(done["files"])
    recovered_page = os.path.join(dest, next(f for f in done["files"] if f.endswith(f"{PAGE_ID}.md")))
    for target in linked:   # each link of the recovered page finds the very file it named
        where = os.path.normpath(os.path.join(os.path.dirname(recovered_page), posixpath.relpath(
            target, posixpath.dirname(page) or ".")))
        with open(where, "rb") as handle:
            assert handle.read() == target.encode()
