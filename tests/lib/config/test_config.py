"""Config loading: defaults, environment overrides, .env, and errors reported together with positions."""
import pytest

from lib.config import load_config
from lib.core.errors import ConfigError
from lib.core.redact import redact


def write(tmp_path, text):
    (tmp_path / "backup.config.yaml").write_text(text)


def test_defaults_apply_without_a_config_file(tmp_path):
    cfg = load_config(tmp_path, {})
    assert cfg["quality.min_md_count"] == 100
    assert cfg["publish.branch"] == "notion-backups"
    assert cfg["notion.file_hosts"] == ["file.notion.so", "file.notion.com"]


def test_environment_overrides_the_file_with_typed_values(tmp_path):
    write(tmp_path, "quality:\n  min_md_count: 5\nexport:\n  ui_fallback: true\n")
    cfg = load_config(tmp_path, {"QUALITY_MIN_MD_COUNT": "7", "OFFICIAL_WORKSPACE_UI_FALLBACK": "0",
                                 "NOTION_FILE_HOSTS": "a.example, b.example"})
    assert cfg["quality.min_md_count"] == 7
    assert cfg["export.ui_fallback"] is False
    assert cfg["notion.file_hosts"] == ["a.example", "b.example"]


def test_every_problem_is_reported_at_once_with_line_and_key(tmp_path):
    write(tmp_path, "quality:\n  min_md_count: -1\n  typo_key: 3\nexport:\n  mode: everything\n")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, {"QUALITY_MAX_DROP_PERCENT": "lots"})
    problems = caught.value.problems
    assert "backup.config.yaml:2:3: at 'quality.min_md_count': must be ≥ 0, not -1" in problems
    assert "backup.config.yaml:3:3: at 'quality.typo_key': unknown setting" in problems
    assert any("at 'export.mode'" in p and "workspace, roots" in p for p in problems)
    assert any(p.startswith("environment QUALITY_MAX_DROP_PERCENT") for p in problems)


def test_malformed_yaml_names_file_line_and_column(tmp_path):
    write(tmp_path, "quality:\n  min_md_count: 1\n\tbad: 2\n")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, {})
    assert caught.value.problems[0].startswith("backup.config.yaml:3:1:")


def test_yaml_booleans_must_be_real_booleans(tmp_path):
    write(tmp_path, "export:\n  ui_fallback: yes\n")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, {})
    assert "must be true or false" in caught.value.problems[0]


def test_dotenv_is_read_but_the_real_environment_wins(tmp_path):
    (tmp_path / ".env").write_text("NOTION_SPACE_ID=7d583f4768d94d6aada31828312a2f7e\nBACKUP_BRANCH=from-dotenv\n")
    cfg = load_config(tmp_path, {"BACKUP_BRANCH": "from-env"})
    assert cfg.space_id == "7d583f47-68d9-4d6a-ada3-1828312a2f7e"
    assert cfg["publish.branch"] == "from-env"


def test_secrets_are_registered_for_redaction(tmp_path):
    cfg = load_config(tmp_path, {"NATIVE_EXPORT_TOKEN_V2": "v02%3Atest%3Aabcdefghij"})
    assert cfg.secret("NATIVE_EXPORT_TOKEN_V2")
    assert "abcdefghij" not in redact("cookie token_v2=v02%3Atest%3Aabcdefghij and v02:test:abcdefghij")


def test_missing_setup_names_what_to_add(tmp_path):
    assert load_config(tmp_path, {}).missing_setup() == ["NATIVE_EXPORT_TOKEN_V2", "NOTION_SPACE_ID"]
    roots = load_config(tmp_path, {"NATIVE_EXPORT_TOKEN_V2": "tok-1234", "OFFICIAL_EXPORT_MODE": "roots"})
    assert roots.missing_setup() == ["NOTION_SPACE_ID"]


def test_token_expiry_takes_a_yaml_date_or_the_browsers_timestamp(tmp_path):
    write(tmp_path, "notify:\n  token_v2_expires: 2027-05-14\n")
    assert load_config(tmp_path, {})["notify.token_v2_expires"] == "2027-05-14"
    # Chrome's cookie table shows the expiry as an ISO timestamp: paste it as it is.
    cfg = load_config(tmp_path, {"NATIVE_EXPORT_TOKEN_V2_EXPIRES": "2027-06-01T10:22:31.000Z"})
    assert cfg["notify.token_v2_expires"] == "2027-06-01"
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, {"NATIVE_EXPORT_TOKEN_V2_EXPIRES": "next spring"})
    assert any("NATIVE_EXPORT_TOKEN_V2_EXPIRES" in p and "2027-05-14" in p for p in caught.value.problems)


def test_ids_and_api_version_are_checked_when_the_configuration_loads(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, {"NOTION_SPACE_ID": "my workspace", "OFFICIAL_EXPORT_ROOT_PAGE_IDS": "home, 42",
                               "NOTION_API_VERSION": "2022-06-28"})
    problems = "\n".join(caught.value.problems)
    assert "environment NOTION_SPACE_ID: 'my workspace' is not a Notion workspace id" in problems
    assert "OFFICIAL_EXPORT_ROOT_PAGE_IDS (at 'export.root_page_ids'): 'home' is neither a page id" in problems
    assert "NOTION_API_VERSION (at 'capture.notion_version'): must be 2025-09-03 or later" in problems


REFUSED = {
    "BACKUP_BRANCH": ["", "HEAD", "refs/heads/notion-backups", "a..b", "two words", "-x", "x.lock", "a/.b", "@",
                      "x@{1}", "x~1", "a:b", "trailing/", "end."],
    "BACKUP_RUN_ID": ["..", ".", ".hidden", "/abs/victim", "../official", "a/b", "a b", "x" * 101],
    "BACKUP_DIR": [".", "..", "/", "/tmp", ".git", ".git/backups", ".doit", ".venv/x", "x/../.."],
    "QUALITY_MAX_DROP_PERCENT": ["nan", "inf", "-1", "101"],
    "UNPACK_MAX_TOTAL_GB": ["inf", "0", "1e400"],
    "OFFICIAL_WORKSPACE_POLL_INTERVAL_SECONDS": ["1e300", "-1"],
    "OFFICIAL_EXPORT_TIME_ZONE": ["Mars/Olympus", "", "../etc/passwd", "localtime"],
    "BACKUP_GIT_REMOTE": ["https://", "ftp://host/repo.git", "https://user:token@github.com/a/b.git",
                          "https://github.com", "http://[::1"],
    "NOTION_BASE_URL": ["", "www.notion.so", "ftp://www.notion.so", "https://u:p@www.notion.so"],
    "NOTION_FILE_HOSTS": ["file notion so"],
    "BACKUP_COMMITTER_NAME": ["", "a <b>", "x\ny"],
    "BACKUP_COMMITTER_EMAIL": ["nobody", "<a@b>", "a b@c"],
    "NOTION_API_VERSION": ["9", "2022-06-28", "2025-13-01"],
    "BACKUP_NOTIFY_URLS": ["slak://x", "not a url"],
    "NATIVE_EXPORT_TOKEN_V2": ["token_v2=v02%3Aabc", "v02 abc", "v02;abc", "v02\"abc"],
    "NOTION_API_KEY": ["secret abc", "ключ"],
}
ACCEPTED = {
    "BACKUP_BRANCH": ["notion-backups", "backups/daily", "日本"],
    "BACKUP_RUN_ID": ["", "2026-12-01", "day-1", "a_b.c"],
    "BACKUP_DIR": ["backups", "snapshots/notion", "./backups"],
    "QUALITY_MAX_DROP_PERCENT": ["0", "60", "100"],
    "OFFICIAL_EXPORT_TIME_ZONE": ["UTC", "Europe/Paris", "America/Argentina/Buenos_Aires"],
    "BACKUP_GIT_REMOTE": ["", "origin", "git@github.com:me/backup.git", "https://github.com/me/backup.git",
                          "ssh://git@example.com/backup.git", "file:///srv/backup.git"],
    "BACKUP_NOTIFY_URLS": ["json://127.0.0.1:8000/hook, ntfy://topic"],
    "NATIVE_EXPORT_TOKEN_V2": ["v02%3Aabc-DEF_123"],
}


@pytest.mark.parametrize("name,value", [(n, v) for n, values in REFUSED.items() for v in values])
def test_each_refused_value_names_its_variable_and_never_echoes_a_secret(tmp_path, name, value):
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, {name: value})
    [problem] = caught.value.problems
    assert problem.startswith(f"environment {name}"), problem
    if name in ("NATIVE_EXPORT_TOKEN_V2", "NOTION_API_KEY", "BACKUP_GIT_REMOTE"):  # may carry a credential
        assert value not in problem


@pytest.mark.parametrize("name,value", [(n, v) for n, values in ACCEPTED.items() for v in values])
def test_each_sensible_value_is_accepted(tmp_path, name, value):
    load_config(tmp_path, {name: value})


def test_the_backup_folder_must_hold_only_backups(tmp_path):
    (tmp_path / "backups").mkdir()
    (tmp_path / "backups" / "official").mkdir()
    (tmp_path / "backups" / ".staging").mkdir()
    load_config(tmp_path, {})
    (tmp_path / "backups" / ".env").write_text("NOTION_API_KEY=x\n")
    with pytest.raises(ConfigError, match="default .at 'run.backups_dir'.: 'backups' holds .env"):
        load_config(tmp_path, {})
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "main.py").write_text("")
    with pytest.raises(ConfigError, match="'src' holds main.py: the backup folder must be a folder of its own"):
        load_config(tmp_path, {"BACKUP_DIR": "src"})
    (tmp_path / "elsewhere").symlink_to(tmp_path.parent)
    with pytest.raises(ConfigError, match="leads .through a link. to the project or a folder holding it"):
        load_config(tmp_path, {"BACKUP_DIR": "elsewhere"})


def test_yaml_numbers_nan_and_inf_are_refused_and_an_empty_section_is_fine(tmp_path):
    write(tmp_path, "quality:\n  max_drop_percent: .nan\nunpack:\n  max_total_gb: .inf\nretention:\nrender: 2\n")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, {})
    assert caught.value.problems == [
        "backup.config.yaml:2:3: at 'quality.max_drop_percent': must be a finite number, not nan",
        "backup.config.yaml:4:3: at 'unpack.max_total_gb': must be a finite number, not inf",
        "backup.config.yaml:6:1: at 'render': must be a mapping of its settings"]


@pytest.mark.parametrize("env, wanted", [
    ({"BACKUP_LFS_URL": "https://lfs.example.com/org/r.git/info/lfs", "BACKUP_GIT_REMOTE": "https://github.com/o/r"},
     "BACKUP_LFS_URL (at 'publish.lfs_url'): lfs.example.com is not the remote's host (github.com)"),
    ({"BACKUP_LFS_URL": "http://lfs.example.com/x", "BACKUP_LFS_TOKEN": "lfs-own-token"}, "is plain http"),
    ({"BACKUP_LFS_URL": "http://github.com/o/r.git/info/lfs", "BACKUP_GIT_REMOTE": "git@github.com:o/r.git"},
     "is plain http"),
    ({"BACKUP_GIT_REMOTE": "http://git.example.com/o/r.git", "BACKUP_PUSH_TOKEN": "push-token"},
     "BACKUP_GIT_REMOTE (at 'publish.remote'): plain http would carry the push token"),
])
def test_a_credential_never_goes_to_another_host_or_over_plain_http(tmp_path, env, wanted):
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, env)
    assert any(wanted in problem for problem in caught.value.problems), caught.value.problems


@pytest.mark.parametrize("env", [
    {"BACKUP_LFS_URL": "https://lfs.example.com/x", "BACKUP_LFS_TOKEN": "lfs-own-token"},
    {"BACKUP_LFS_URL": "http://127.0.0.1:8080/x", "BACKUP_LFS_TOKEN": "lfs-own-token", "BACKUP_GIT_REMOTE": "/r.git"},
    {"BACKUP_LFS_URL": "https://github.com/o/r.git/info/lfs", "BACKUP_GIT_REMOTE": "git@github.com:o/r.git"},
    {"BACKUP_LFS_URL": "https://GitHub.com/o/r.git/info/lfs", "BACKUP_GIT_REMOTE": "ssh://git@github.com:22/o/r"},
    {"BACKUP_LFS_URL": "file:///srv/lfs", "BACKUP_GIT_REMOTE": "/r.git"},
])
def test_an_lfs_endpoint_on_the_remotes_host_or_with_its_own_token_loads(tmp_path, env):
    assert load_config(tmp_path, env)["publish.lfs_url"] == env["BACKUP_LFS_URL"]


def test_a_remote_name_is_read_from_the_projects_git_config(tmp_path):
    from tests.harness import git
    git("init", "-q", str(tmp_path))
    git("remote", "add", "origin", "https://github.com/o/r.git", cwd=tmp_path)
    assert load_config(tmp_path, {"BACKUP_LFS_URL": "https://github.com/o/r.git/info/lfs"})
    with pytest.raises(ConfigError, match="not the remote's host"):
        load_config(tmp_path, {"BACKUP_LFS_URL": "https://elsewhere.example/o/r.git/info/lfs"})
