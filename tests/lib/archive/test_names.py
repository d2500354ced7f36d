"""Name rules of unpack: every name comes out storable on Linux, Windows and macOS and acceptable to git, reported."""
import pytest
from dulwich.index import validate_path_element_default, validate_path_element_hfs, validate_path_element_ntfs
from hypothesis import given, strategies as st

from lib.archive.gitnames import HFS_IGNORABLE
from lib.archive.names import (DEVICE, GIT, MAX_FOLDERS, TOO_LONG, TRAILING, WINDOWS_BAD, WINDOWS_CHARS,
                               clean_component, clean_name, is_device_name)
from lib.core.errors import UnsafeArchive
from lib.core.filenames import NAME_MAX, fit_name

ID = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize("name", [".git", ".GIT", ".Git", ".git.", ".git ", ".git. .", ".git::$INDEX_ALLOCATION",
                                  "git~1", "GIT~1", ".g\u200cit", "\ufeff.git", ".gi\u200dt", ".gitmodules",
                                  ".GITMODULES ", "gitmod~1", "gi7eba~2", ".gitattributes", "gi7d29~1",
                                  ".gitignore", ".g\u200cITmodules"])
def test_every_spelling_git_reserves_is_renamed(name):
    new, reasons = clean_component(name)
    assert GIT in reasons and new != name
    encoded = new.encode()
    assert validate_path_element_default(encoded) and validate_path_element_ntfs(encoded)
    assert validate_path_element_hfs(encoded)


@pytest.mark.parametrize("name", ["CON", "con", "aux.md", "AUX.tar.gz", "LPT1.txt", "lpt9", "COM1", "com¹",
                                  "nul .txt", "PRN", "CONIN$", "conout$.log"])
def test_windows_device_names_are_renamed_with_or_without_extension(name):
    new, reasons = clean_component(name)
    assert reasons == (DEVICE,) and new == "_" + name and not is_device_name(new)


@pytest.mark.parametrize("name", ["CONTACTS.md", "auxiliary", "com10", "lpt", "Console", f"CON {ID}.md",
                                  "con-notes.md", ".github-like", "gitlab", "my.git", "git", "git~", "git~x"])
def test_ordinary_names_are_kept(name):
    if name == ".github-like":
        # Anything that folds to `.git...` goes: git reads .gitignore, .gitattributes... wherever they are.
        assert clean_component(name)[1] == (GIT,)
        return
    assert clean_component(name) == (name, ())


@pytest.mark.parametrize("name, expected", [("Notes.", "Notes_"), ("Notes ", "Notes_"), ("...", ".._"),
                                            ("a. ", "a._")])
def test_names_ending_in_a_dot_or_space_are_renamed(name, expected):
    assert clean_component(name) == (expected, (TRAILING,))


def test_long_cjk_title_keeps_its_id_and_extension_within_255_bytes():
    name = "会" * 90 + f" {ID}.md"
    new, reasons = clean_component(name)
    assert reasons == (TOO_LONG,) and new.endswith(f" {ID}.md") and len(new.encode()) <= NAME_MAX
    twin, _ = clean_component("会" * 90 + f" {ID}_all.csv")
    assert twin.endswith(f" {ID}_all.csv")


def test_too_deep_is_refused_not_a_recursion_error():
    clean_name("a/" * MAX_FOLDERS + "x.md")
    with pytest.raises(UnsafeArchive, match=f"{MAX_FOLDERS + 1} folders deep"):
        clean_name("a/" * (MAX_FOLDERS + 1) + "x.md")


# Any Unicode at all, with git's, Windows' and HFS+'s troublemakers mixed in often.
HOSTILE_PIECES = st.sampled_from([".git", "git~1", "gi7eba~1", ".gitmodules", "CON", "aux", "lpt1", ".", " ",
                                  "\u200c", "\ufeff", ":", "\\", "*", "\x00", "\x1f", "\x7f", "会" * 40, "😀" * 20,
                                  "é", "e\u0301", "I", "ı", "_", "~1", ".md", ".csv", ID])
COMPONENT = st.lists(st.one_of(st.text(st.characters(blacklist_categories=("Cs",)), max_size=30), HOSTILE_PIECES),
                     min_size=1, max_size=12).map("".join).filter(lambda n: n not in ("", ".", "..") and "/" not in n)


@given(COMPONENT)
def test_any_component_comes_out_portable_reported_and_stable(name):
    new, reasons = clean_component(name)
    encoded = new.encode("utf-8", "surrogateescape")
    assert (new == name) == (not reasons)
    assert 0 < len(encoded) <= NAME_MAX
    assert not WINDOWS_BAD.search(new) and not new.endswith((".", " ")) and not is_device_name(new)
    # dulwich's copies of git's own path checks, on every platform's rules, as the independent judge.
    assert validate_path_element_default(encoded) and validate_path_element_ntfs(encoded)
    assert validate_path_element_hfs(encoded)
    assert not "".join(c for c in new if ord(c) not in HFS_IGNORABLE).lower().startswith(".git")
    assert clean_component(new) == (new, ())  # a fixed point: later stages never rename again
    if WINDOWS_CHARS in reasons:
        assert WINDOWS_BAD.search(name)


@given(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=200),
       st.sampled_from(["", f" {ID}", f" {ID}_all"]), st.sampled_from(["", ".md", ".csv", ".html", ".png"]),
       st.integers(min_value=60, max_value=NAME_MAX))
def test_fit_name_keeps_id_and_extension_and_fits(title, ident, ext, limit):
    name = title + ident + ext
    fitted = fit_name(name, limit)
    assert len(fitted.encode("utf-8", "surrogateescape")) <= limit or fitted == name
    if len(name.encode()) <= limit:
        assert fitted == name
    else:
        assert fitted.endswith(ident.strip() + ext) and fit_name(name, limit) == fitted
