"""Several workspaces from one backup.config.yaml: selection, per-workspace settings and secrets, errors."""
import pytest

from lib.config import load_config
from lib.core.errors import ConfigError
from lib.core.layout import Layout

TEAM = "1f2e3d4c5b6a47988a7b6c5d4e3f2a1b"
HOME = "0123456789abcdef0123456789abcdef"
TWO = f"""quality:
  min_md_count: 50
workspaces:
  team:
    space_id: "{TEAM}"
    quality:
      min_md_count: 500
      max_drop_percent: 10
  home-notes:
    space_id: "https://www.notion.so/x-{HOME}"
"""


def config(tmp_path, text, environ):
    (tmp_path / "backup.config.yaml").write_text(text)
    return load_config(tmp_path, environ)


def test_without_workspaces_nothing_changes(tmp_path):
    cfg = load_config(tmp_path, {"NATIVE_EXPORT_TOKEN_V2": "plain", "NOTION_SPACE_ID": TEAM})
    layout = Layout.for_config(cfg)
    assert cfg.workspace is None and cfg.workspace_names == []
    assert cfg["publish.branch"] == "notion-backups" and cfg.secret("NATIVE_EXPORT_TOKEN_V2") == "plain"
    assert layout.backups == tmp_path / "backups" and layout.state_dir == tmp_path / ".doit"


def test_a_named_workspace_has_its_settings_secrets_branch_folder_and_state(tmp_path):
    env = {"BACKUP_WORKSPACE": "team", "NATIVE_EXPORT_TOKEN_V2_TEAM": "team-cookie", "NATIVE_EXPORT_TOKEN_V2": "plain",
           "NOTION_API_KEY": "shared-key", "QUALITY_MIN_MD_COUNT": "7", "QUALITY_MIN_CSV_COUNT": "3",
           "NOTION_SPACE_ID": HOME}
    cfg = config(tmp_path, TWO, env)
    layout = Layout.for_config(cfg)
    assert cfg.workspace == "team" and cfg.workspace_names == ["team", "home-notes"]
    # The workspace's own key wins over the top level and over the environment; the environment over the rest.
    assert cfg["quality.min_md_count"] == 500 and cfg["quality.max_drop_percent"] == 10
    assert cfg["quality.min_csv_count"] == 3
    assert cfg.secret("NATIVE_EXPORT_TOKEN_V2") == "team-cookie"      # its own secret first
    assert cfg.secret("NOTION_API_KEY") == "shared-key"               # else the plain one
    assert cfg.space_id == "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b"      # its space_id setting, not NOTION_SPACE_ID
    assert cfg["publish.branch"] == "notion-backups-team"
    assert layout.backups == tmp_path / "backups" / "team" and layout.state_dir == tmp_path / ".doit" / "team"
    other = config(tmp_path, TWO, {"BACKUP_WORKSPACE": "home-notes", "NATIVE_EXPORT_TOKEN_V2_HOME_NOTES": "h"})
    assert other.secret("NATIVE_EXPORT_TOKEN_V2") == "h" and other["quality.min_md_count"] == 50
    assert other.space_id == "01234567-89ab-cdef-0123-456789abcdef"
    assert other["publish.branch"] == "notion-backups-home-notes"


def test_none_chosen_runs_every_one_and_a_single_one_is_chosen_by_itself(tmp_path):
    assert config(tmp_path, TWO, {}).workspace is None
    single = config(tmp_path, f"workspaces:\n  solo:\n    space_id: {TEAM}\n", {})
    assert single.workspace == "solo" and single["publish.branch"] == "notion-backups-solo"


def test_the_setup_notice_names_the_workspaces_own_secret(tmp_path):
    cfg = config(tmp_path, TWO, {"BACKUP_WORKSPACE": "team"})
    assert cfg.missing_setup() == ["NATIVE_EXPORT_TOKEN_V2_TEAM or NATIVE_EXPORT_TOKEN_V2"]


def test_every_workspace_is_checked_at_load_and_problems_name_it(tmp_path):
    text = f"""workspaces:
  team:
    space_id: "{TEAM}"
    quality:
      min_md_count: -5
      typo: 1
    export:
      source: admin_api
      mode: roots
  bad name!:
    space_id: 42
  team_a: {{}}
  team-a: {{}}
  other: [1, 2]
"""
    with pytest.raises(ConfigError) as caught:
        config(tmp_path, text, {"BACKUP_WORKSPACE": "nope"})
    problems = "\n".join(caught.value.problems)
    assert "backup.config.yaml:5:7: at 'workspaces.team.quality.min_md_count': must be ≥ 0, not -5" in problems
    assert "backup.config.yaml:6:7: at 'workspaces.team.quality.typo': unknown setting" in problems
    assert "workspace team: OFFICIAL_EXPORT_SOURCE is 'admin_api' but OFFICIAL_EXPORT_MODE is 'roots'" in problems
    assert "at 'workspaces.bad name!': a workspace name is" in problems
    assert "at 'workspaces.bad name!.space_id': 42 is not a Notion workspace id" in problems.replace("'42'", "42")
    assert "at 'workspaces.team-a': its secrets would be read under the same names as workspace 'team_a'" in problems
    assert "at 'workspaces.other': must be a mapping of settings" in problems
    assert "environment BACKUP_WORKSPACE (at 'run.workspace'): 'nope' is not a configured workspace" in problems


def test_choosing_a_workspace_without_workspaces_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="has no workspaces: section"):
        load_config(tmp_path, {"BACKUP_WORKSPACE": "team"})


@pytest.mark.parametrize("own, wanted", [
    ("    publish:\n      branch: notion-backups-team\n", "would both commit to the branch 'notion-backups-team'"),
    ("    publish:\n      branch: notion-backups-team/x\n", "would both commit to the branch"),
    ("    run:\n      backups_dir: backups/team\n", "a backups folder inside that of workspace 'team'"),
])
def test_two_workspaces_never_share_a_branch_or_a_backups_folder(tmp_path, own, wanted):
    text = TWO + own   # the last section, home-notes, takes what is team's
    with pytest.raises(ConfigError) as caught:
        config(tmp_path, text, {"BACKUP_WORKSPACE": "team"})
    assert any(wanted in problem and "home-notes" in problem for problem in caught.value.problems), \
        caught.value.problems


def test_workspaces_with_folders_and_branches_of_their_own_load(tmp_path):
    text = TWO.replace("  home-notes:\n", "  home-notes:\n    run:\n      backups_dir: elsewhere\n"
                       "    publish:\n      branch: notes-only\n")
    cfg = config(tmp_path, text, {"BACKUP_WORKSPACE": "home-notes"})
    assert cfg["publish.branch"] == "notes-only" and cfg["run.backups_dir"] == "elsewhere"


def test_a_workspace_name_is_matched_whole_a_trailing_newline_included():
    from lib.config.workspaces import check_names
    assert check_names(["team\n"]) and check_names(["team\nx"]) and not check_names(["team"])
