"""Notion's names: a page's key survives renames, --page finds it by id, URL or title, and which folder a page
owns is what the site decides too."""
import posixpath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.core.filenames import fit_name
from lib.core.notion_names import (db_stem, file_kind, folder_owners, is_main_file, kind_of, matching_files, page_key,
                                     reader_path, split_stem, strip_ids, title_of)
from lib.snapshot import snapshot_changes
from lib.site.links import SiteIndex
from tests.fakes.exports import FakeWorkspace
from tests.lib.site import site_fixtures as F

ID = "0123456789abcdef0123456789abcdef"


def test_a_page_keeps_its_key_through_a_rename_and_a_move():
    assert page_key(f"Home/Plans {ID}.md") == page_key(f"Archive/Old plans {ID}.md") == ID
    assert page_key(f"Home/Books {ID}_all.csv") == page_key(f"Home/Books {ID}.csv") == ID
    assert page_key("Home/No id.md") != page_key("Home/Other.md")
    assert page_key("Home/No id.md").startswith("x") and len(page_key("Home/No id.md")) == 32


def test_title_comes_from_the_name_without_the_id():
    assert title_of(f"a/Café crème {ID}.md") == "Café crème"
    assert title_of(f"a/Books {ID}_all.csv") == "Books"
    assert title_of("a/Plain.md") == "Plain"


def test_page_is_found_by_id_url_or_exact_title():
    paths = [f"Home {ID}.md", f"Home/Books {'1' * 32}.csv", f"Home/Books {'1' * 32}_all.csv", "Home/pic.png"]
    assert matching_files(paths, ID) == [f"Home {ID}.md"]
    assert matching_files(paths, f"https://www.notion.so/team/Home-{ID}?pvs=4") == [f"Home {ID}.md"]
    assert matching_files(paths, "Books") == [f"Home/Books {'1' * 32}_all.csv"]   # the CSV that stands for it
    assert matching_files(paths, "books") == [] and matching_files(paths, "pic") == []
    assert is_main_file(f"Home/Books {'1' * 32}.csv", {f"Home/Books {'1' * 32}.csv"})


def _owners_by_site(files):
    """{folder path: owning file} as the site's index decides it (folders without a page left out)."""
    index = SiteIndex(files)
    return {d: o for d, o in index.dir_owner.items() if not o.startswith("dir:")}


def _owners_by_names(files):
    dirs = {}
    for path in files:
        folder = posixpath.dirname(path)
        dirs.setdefault(folder, (set(), set()))[0].add(posixpath.basename(path))
        while folder:
            parent = posixpath.dirname(folder)
            dirs.setdefault(parent, (set(), set()))[1].add(posixpath.basename(folder))
            folder = parent
    found = {}
    for folder, (names, subs) in dirs.items():
        for sub, owner in folder_owners(names, subs).items():
            found[posixpath.join(folder, sub)] = posixpath.join(folder, owner)
    return found


@pytest.mark.parametrize("seed", [3, 32, 41])
def test_folder_owners_agree_with_the_site_on_generated_workspaces(seed):
    files = [rel for rel, _, _ in FakeWorkspace(seed=seed, pages=200, databases=8, day=2, hostile=seed == 41).entries()]
    assert _owners_by_names(files) == _owners_by_site(files)


def test_folder_owners_agree_with_the_site_on_the_tricky_workspace(tmp_path):
    files = F.build_tricky(tmp_path)
    assert _owners_by_names(files) == _owners_by_site(files)


def test_the_parts_of_a_name():
    assert split_stem(f"My Page {ID}") == ("My Page", ID)
    assert split_stem("No id here") == ("No id here", None)
    assert strip_ids(f"A {ID}/B {ID}.md") == "A/B.md"
    assert title_of(f"Folder/Tasks {ID}_all.csv") == "Tasks"
    assert db_stem(f"Folder/Tasks {ID}_all.csv") == db_stem(f"Folder/Tasks {ID}.csv") == f"Folder/Tasks {ID}"
    assert reader_path(f"Home {ID}/Plans {ID}.md") == "Home / Plans"
    assert [file_kind(n) for n in ("a.md", "b.CSV", "c_all.csv", "d.htm", "e.png")] == \
        ["md", "csv", "csv_all", "html", "attachments"]
    assert [kind_of(n) for n in ("a.md", "c_all.csv", "e.png")] == ["page", "db", None]


TITLES = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="/\0"), min_size=1, max_size=60)
IDS = st.text("0123456789abcdef", min_size=32, max_size=32)


@given(TITLES, IDS, st.sampled_from([".md", ".csv", "_all.csv"]))
def test_every_reader_of_a_name_agrees_with_the_one_rule(title, ident, suffix):
    """Whatever the title, the id comes back from the name, the key, the rename detection and a cut name alike."""
    name = f"{title} {ident}{suffix}"
    assert split_stem(name[:-len(suffix)])[1] == ident
    assert page_key(f"Folder/{name}") == ident
    assert page_key(fit_name(name, limit=80)) == ident   # a shortened name keeps its id
    moved = snapshot_changes({"files": [{"path": f"New/{name}", "sha256": "1"}]},
                             {"files": [{"path": f"Old/{name}", "sha256": "1"}]})
    assert moved["moved"] == [[f"Old/{name}", f"New/{name}"]]
