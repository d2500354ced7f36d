"""One page's history read from the snapshot branch with dulwich, checked against the real git binary."""
import pytest

from lib.core.errors import ConfigError
from lib.git.objects import open_repo
from lib.git.page_history import page_versions
from lib.git.revs import resolve_snapshot, snapshot_commit
from tests.fakes.exports import FakeWorkspace
from tests.lib.git.gitutil import git
from tests.lib.git.history_fixtures import BRANCH, snapshot_days

SCRIPT = [{"day": 1, "edit": "Date export beta table"}, {"day": 2, "delete": "Date export beta table"},
          {"day": 3, "edit": "Alpha"}]
WORKSPACE = dict(seed=32, pages=150, databases=8, script=SCRIPT)
DAYS = [(0, "day-1", "2026-11-18"), (1, "day-2", "2026-11-19"), (2, "day-3", "2026-11-19"), (3, "day-4", "2026-11-21")]
PAGE = "74357aba07b2864b65f20bb3b09f08ce"   # Date export beta table: edited on day 2, deleted on day 3


@pytest.fixture(scope="module")
def branch(tmp_path_factory):
    base = tmp_path_factory.mktemp("history")
    repo = base / "repo.git"
    commits = snapshot_days(repo, base / "backups", DAYS, **WORKSPACE)
    return repo, commits


def git_log(repo, path):
    """Commits that touched a path, newest first, as git itself sees them."""
    return git("--git-dir", str(repo), "log", "--format=%H", BRANCH, "--", f"official/{path}").decode().split()


def git_numstat(repo, old, new, path):
    out = git("--git-dir", str(repo), "diff", "--numstat", old, new, "--", f"official/{path}").decode().split()
    return int(out[0]), int(out[1])


def test_a_date_picks_the_last_snapshot_of_that_day_or_before(branch):
    repo, commits = branch
    with open_repo(repo) as handle:
        pick = lambda spec: resolve_snapshot(handle, BRANCH, spec).id.decode()  # noqa: E731
        assert pick("2026-11-18") == commits[0]
        assert pick("2026-11-19") == commits[2]           # two that day: the last one
        assert pick("2026-11-20") == commits[2]           # none that day: as things stood then
        assert pick("2026-12-31") == pick("") == commits[3]
        assert pick("day-2") == commits[1] and pick(f"{BRANCH}~3") == commits[0] and pick(commits[1][:10]) == commits[1]
        for bad, why in (("2026-11-17", "no snapshot on or before that day"), ("2026-02-30", "not a date"),
                         ("day-9", "no snapshot of notion-backups has that date, revision or run id")):
            with pytest.raises(ConfigError, match=why):
                resolve_snapshot(handle, BRANCH, bad)


def test_a_commit_off_the_branch_is_refused_unless_asked_for(branch, tmp_path):
    repo, commits = branch
    git("--git-dir", str(repo), "branch", "elsewhere", commits[1])
    other = git("--git-dir", str(repo), "commit-tree", "-p", commits[1], "-m", "not a snapshot",
                f"{commits[1]}^{{tree}}").decode().strip()
    with pytest.raises(ConfigError, match="is not a snapshot of notion-backups"):
        snapshot_commit(repo, BRANCH, other)
    assert snapshot_commit(repo, BRANCH, other, strict=False)["commit"] == other


def test_versions_of_a_deleted_page_are_the_commits_git_lists_for_it(branch):
    repo, commits = branch
    found = page_versions(repo, BRANCH, PAGE)
    path = found["path"]
    assert [v["commit"] for v in found["versions"]] == git_log(repo, path)
    assert [(v["run_id"], v["kind"]) for v in found["versions"]] == [("day-3", "removed"), ("day-2", "changed"),
                                                                     ("day-1", "added")]
    changed = found["versions"][1]
    assert (changed["added"], changed["removed"]) == git_numstat(repo, commits[0], commits[1], path)
    assert found["versions"][0]["removed"] == git_numstat(repo, commits[1], commits[2], path)[1]
    assert not found["cut"] and found["first"]["run_id"] == "day-1"


def test_a_page_is_found_by_title_and_url_too_and_a_namesake_is_refused(branch):
    repo, _ = branch
    assert page_versions(repo, BRANCH, "Date export beta table")["key"] == PAGE
    assert page_versions(repo, BRANCH, f"https://www.notion.so/x/Date-export-{PAGE}")["key"] == PAGE
    titles = [n.title for n in FakeWorkspace(day=3, **WORKSPACE).live_nodes()]
    twin = next(t for t in titles if titles.count(t) > 1)
    with pytest.raises(ConfigError, match="pages have that title; name one by id"):
        page_versions(repo, BRANCH, twin)
    with pytest.raises(ConfigError, match="no page or database"):
        page_versions(repo, BRANCH, "Nothing like this")


def test_a_renamed_page_is_one_history(branch):
    repo, commits = branch
    workspace = FakeWorkspace(day=3, **WORKSPACE)
    renamed = next(n for n in workspace.live_nodes() if n.title.endswith(" v2"))
    found = page_versions(repo, BRANCH, renamed.id)
    kinds = [v["kind"] for v in found["versions"]]
    assert kinds[-1] == "added" and "renamed" in kinds
    rename = found["versions"][kinds.index("renamed")]
    assert rename["old_path"].endswith(f"{renamed.title[:-3]} {renamed.id}.md") and rename["run_id"] == "day-2"


def test_a_shallow_clone_says_where_its_history_stops(branch, tmp_path):
    repo, commits = branch
    clone = tmp_path / "shallow.git"
    git("clone", "-q", "--bare", "--depth", "2", "--branch", BRANCH, f"file://{repo}", str(clone))
    found = page_versions(clone, BRANCH, "Alpha")
    assert found["cut"] and "doit history --deep" in found["deeper"]
    assert [v["kind"] for v in found["versions"]] == ["changed", "present"]
    assert found["first"]["commit"] == commits[2]
    with open_repo(clone) as handle:
        with pytest.raises(ConfigError, match="the first one here is of 2026-11-19 .*--deep"):
            resolve_snapshot(handle, BRANCH, "2026-11-18")
