"""Config loading: defaults, environment overrides, .env, and errors reported together with positions."""
import pytest

from lib.config import load_config
from lib.errors import ConfigError
from lib.redact import redact


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
