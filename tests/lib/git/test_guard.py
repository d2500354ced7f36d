"""The snapshot branch is ours alone: never a checked-out branch, never one holding commits that are not snapshots."""
from lib.git.guard import branch_problems
from lib.git.commit_snapshot import snapshot_directory
from tests.lib.git.gitutil import BRANCH, git, project_checkout
from tests.lib.git.test_snapshot import make_backups


def project_with_snapshots(tmp_path, snapshots=2):
    """A user's checkout (main with a project file) whose notion-backups holds `snapshots` snapshot commits."""
    project = project_checkout(tmp_path / "project", "dodo.py", "# the project\n")
    source = make_backups(tmp_path / "backups")
    for n in range(snapshots):
        (source / "official" / "Page.md").write_text(f"# day {n}\n")
        snapshot_directory(str(project), str(source), BRANCH, f"Snapshot day-{n}")
    return project


def test_a_branch_of_snapshots_is_accepted_and_its_tip_returned(tmp_path):
    project = project_with_snapshots(tmp_path)
    problems, tip = branch_problems(project, BRANCH, "")
    assert problems == [] and tip == git("rev-parse", BRANCH, cwd=project).decode().strip()


def test_the_checked_out_branch_is_refused_here_and_in_a_linked_work_tree(tmp_path):
    project = project_with_snapshots(tmp_path)
    [problem] = branch_problems(project, "main", "")[0]
    assert "'main' is the branch checked out in" in problem and str(project) in problem
    git("worktree", "add", "-q", str(tmp_path / "look"), BRANCH, cwd=project)
    [problem] = branch_problems(project, BRANCH, "")[0]
    assert f"checked out in {tmp_path / 'look'}" in problem


def test_a_user_commit_anywhere_in_the_history_is_found_even_past_a_checked_tip(tmp_path):
    project = project_with_snapshots(tmp_path)
    _, checked = branch_problems(project, BRANCH, "")
    # A commit of project files on top of the snapshots: what a mistaken `git push` or a merge would leave.
    git("branch", "-f", "mixed", "main", cwd=project)
    git("merge", "-q", "--allow-unrelated-histories", "-m", "merge", BRANCH, cwd=project, check=False)
    git("update-ref", f"refs/heads/{BRANCH}", "main", cwd=project)
    git("update-ref", "refs/heads/main", "mixed", cwd=project)
    [problem] = branch_problems(project, BRANCH, "", checked)[0]
    assert "holds commits that are not snapshots" in problem and "BACKUP_BRANCH" in problem


def test_a_remote_that_names_nothing_is_refused(tmp_path):
    project = project_with_snapshots(tmp_path, snapshots=1)
    [problem] = branch_problems(project, BRANCH, "upstream")[0]
    assert "BACKUP_GIT_REMOTE" in problem and "'upstream' is neither a remote" in problem
    assert branch_problems(project, BRANCH, str(tmp_path))[0] == []          # an existing folder
    assert branch_problems(project, BRANCH, "git@example.com:a/b.git")[0] == []   # only the network can tell
    assert branch_problems(tmp_path / "no-repo", BRANCH, "origin")[0] != []
