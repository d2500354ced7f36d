"""Notion's names: a page's key survives renames, --page finds it by id, URL or title, and which folder a page
owns is what the site decides too."""
import posixpath

import pytest

from lib.core.notion_names import folder_owners, is_main_file, matching_files, page_key, title_of
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
