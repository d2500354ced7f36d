"""`doit history` and `doit recover` find a page the same ways: by id, URL, the title in its file name, or its heading."""
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.core.errors import ConfigError
from lib.git.page_history import page_versions
from lib.git.recover import recover_page
from tests.lib.git.history_fixtures import BRANCH, commit_backups, epoch, promote

PAGE_ID = "0123456789abcdef0123456789abcdef"
FULL = "Quarterly planning for the whole company, its offices and every team in them"
# Notion shortens a long title in the file name; the page's first line keeps it whole.
SHORT = FULL[:40].rstrip()
OTHER_ID = "fedcba9876543210fedcba9876543210"


def write_day(backups, body):
    """Write official/ holding the long-titled page (with `body`) and one other page."""
    official = os.path.join(backups, "official", "Plans")
    os.makedirs(official, exist_ok=True)
    with open(os.path.join(official, f"{SHORT} {PAGE_ID}.md"), "w") as out:
        out.write(f"# {FULL}\n\n{body}\n")
    with open(os.path.join(backups, "official", f"Plans {OTHER_ID}.md"), "w") as out:
        out.write("# Plans\n\nThe plans.\n")


@pytest.fixture(scope="module")
def branch(tmp_path_factory):
    base = tmp_path_factory.mktemp("lookup")
    repo, backups = base / "repo.git", base / "backups"
    for run_id, date, body in (("day-1", "2026-11-18", "First draft."), ("day-2", "2026-11-19", "Second draft.")):
        write_day(backups, body)
        promote(backups, run_id, epoch(date))
        commit_backups(repo, backups, run_id, epoch(date))
    return repo


@pytest.mark.parametrize("spec", [PAGE_ID, f"https://www.notion.so/Quarterly-planning-{PAGE_ID}?pvs=4", SHORT, FULL,
                                  f"  {FULL} "])
def test_history_and_recover_find_the_page_by_id_url_file_title_or_heading(branch, tmp_path, spec):
    found = page_versions(branch, BRANCH, spec)
    assert (found["key"], len(found["versions"])) == (PAGE_ID, 2)
    done = recover_page(branch, BRANCH, spec, "day-1", str(tmp_path / "out"))
    assert done["path"] == f"Plans/{SHORT} {PAGE_ID}.md"
    assert "First draft." in (tmp_path / "out" / f"{SHORT} {PAGE_ID}.md").read_text()


@settings(max_examples=25, deadline=None)
@given(st.text(min_size=1, max_size=60).filter(lambda t: t.strip() not in ("", FULL, SHORT, "Plans")))
def test_a_title_no_page_has_is_refused_by_both(branch, spec):
    with pytest.raises(ConfigError):
        page_versions(branch, BRANCH, spec)
    with pytest.raises(ConfigError):
        recover_page(branch, BRANCH, spec, "", os.devnull + "-never-written")
