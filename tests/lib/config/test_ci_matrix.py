"""The CI matrix: one job per workspace, each with its own GitHub Environment and its own disk setting."""
import io
import json
from contextlib import redirect_stdout, redirect_stderr

from hypothesis import given
from hypothesis import strategies as st

from lib.config.ci_matrix import main as print_matrix
from lib.core.errors import ExitStatus
from lib.config.workspaces import NAME_RE, suffix

TEAM = "1f2e3d4c5b6a47988a7b6c5d4e3f2a1b"
TWO = f"""ci:
  free_disk: false
workspaces:
  team:
    space_id: "{TEAM}"
    ci:
      free_disk: true
  home-notes:
    quality:
      min_md_count: 5
"""


def run(root, text, environ=None):
    """(exit status, printed matrix or None, stderr) of `python -m lib.config.ci_matrix` over this configuration."""
    (root / "backup.config.yaml").write_text(text)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = print_matrix(root, environ or {})
    return status, json.loads(out.getvalue()) if status == ExitStatus.OK else None, err.getvalue()


def test_each_workspace_is_a_job_in_its_own_environment_with_its_own_disk_setting(tmp_path):
    status, found, _ = run(tmp_path, TWO)
    assert status == ExitStatus.OK
    assert found == {"include": [{"workspace": "team", "environment": "team", "free_disk": True},
                                 {"workspace": "home-notes", "environment": "home-notes", "free_disk": False}]}


def test_one_workspace_is_one_unnamed_job_with_the_repository_secrets(tmp_path):
    assert run(tmp_path, "quality:\n  min_md_count: 5\n")[1] == {
        "include": [{"workspace": "", "environment": "", "free_disk": False}]}
    assert run(tmp_path, "ci:\n  free_disk: true\n")[1]["include"][0]["free_disk"] is True


def test_the_repository_variable_sets_the_default_and_a_workspace_keeps_its_own(tmp_path):
    _, found, _ = run(tmp_path, TWO.replace("      free_disk: true", "      free_disk: false"),
                      {"BACKUP_CI_FREE_DISK": "yes"})
    assert [job["free_disk"] for job in found["include"]] == [False, True]   # team said false itself


def test_neither_a_secret_nor_the_chosen_workspace_is_read(tmp_path):
    # A secret the loader would refuse, and a workspace choice that would narrow the list: both ignored.
    status, found, _ = run(tmp_path, TWO, {"NATIVE_EXPORT_TOKEN_V2": "token_v2=not a value;",
                                           "BACKUP_WORKSPACE": "team"})
    assert status == ExitStatus.OK and [job["workspace"] for job in found["include"]] == ["team", "home-notes"]


def test_a_bad_setting_anywhere_exits_3_naming_it(tmp_path):
    status, found, err = run(tmp_path, TWO.replace("free_disk: true", "free_disk: lots"))
    assert (status, found) == (ExitStatus.CONFIG, None)
    assert "at 'workspaces.team.ci.free_disk'" in err
    status, _, err = run(tmp_path, TWO, {"BACKUP_CI_FREE_DISK": "sometimes"})
    assert status == ExitStatus.CONFIG and "environment BACKUP_CI_FREE_DISK (at 'ci.free_disk')" in err
    assert run(tmp_path, "workspaces: [a]\n")[0] == ExitStatus.CONFIG


NAMES = st.from_regex(NAME_RE, fullmatch=True)


@given(st.dictionaries(NAMES, st.booleans(), min_size=1, max_size=4), st.booleans())
def test_generated_workspaces_each_get_their_environment_and_flag(tmp_path_factory, chosen, default):
    chosen = {name: flag for name, flag in chosen.items()
              if [suffix(other) for other in chosen].count(suffix(name)) == 1}
    root = tmp_path_factory.mktemp("matrix")
    sections = {name: {"ci": {"free_disk": flag}} if flag != default else {} for name, flag in chosen.items()}
    text = json.dumps({"ci": {"free_disk": default}, **({"workspaces": sections} if sections else {})})
    status, found, err = run(root, text)
    assert status == ExitStatus.OK, err
    expected = [{"workspace": name, "environment": name, "free_disk": flag} for name, flag in chosen.items()]
    assert found["include"] == (expected or [{"workspace": "", "environment": "", "free_disk": default}])
