"""The Admin API export's settings: how the source is chosen, what the setup notice asks for, what is refused."""
import pytest

from lib.config import load_config
from lib.core.errors import ConfigError
from lib.core.redact import redact

SPACE = "3f1e2d4c5b6a47988a7b6c5d4e3f2a1b"
ADMIN = {"NOTION_ADMIN_TOKEN": "secret_admin_token_0123456789", "NOTION_ADMIN_USER_EMAIL": "owner@example.com",
         "NOTION_SPACE_ID": SPACE}


def test_the_admin_token_alone_selects_the_admin_export_and_completes_the_setup(tmp_path):
    cfg = load_config(tmp_path, ADMIN)
    assert cfg["export.source"] == "auto" and cfg.export_source == "admin_api"
    assert cfg.missing_setup() == []


def test_without_the_admin_token_auto_stays_on_the_cookie_export(tmp_path):
    cfg = load_config(tmp_path, {"NATIVE_EXPORT_TOKEN_V2": "v02:abc", "NOTION_SPACE_ID": SPACE})
    assert cfg.export_source == "official_zip" and cfg.missing_setup() == []


def test_an_explicit_source_wins_over_the_token(tmp_path):
    cfg = load_config(tmp_path, dict(ADMIN, OFFICIAL_EXPORT_SOURCE="official_zip"))
    assert cfg.export_source == "official_zip" and cfg.missing_setup() == ["NATIVE_EXPORT_TOKEN_V2"]


def test_the_setup_notice_names_what_the_admin_export_still_needs(tmp_path):
    cfg = load_config(tmp_path, {"NOTION_ADMIN_TOKEN": "secret_admin_token_0123456789"})
    assert cfg.missing_setup() == ["NOTION_ADMIN_USER_EMAIL", "NOTION_SPACE_ID"]
    explicit = load_config(tmp_path, {"OFFICIAL_EXPORT_SOURCE": "admin_api"})
    assert explicit.missing_setup() == ["NOTION_ADMIN_TOKEN", "NOTION_ADMIN_USER_EMAIL", "NOTION_SPACE_ID"]


def test_roots_mode_keeps_auto_on_the_cookie_export_and_refuses_an_explicit_admin_source(tmp_path):
    roots = dict(ADMIN, OFFICIAL_EXPORT_MODE="roots", OFFICIAL_EXPORT_ROOT_PAGE_IDS=SPACE)
    assert load_config(tmp_path, roots).export_source == "official_zip"
    with pytest.raises(ConfigError, match="OFFICIAL_EXPORT_SOURCE is 'admin_api'.*OFFICIAL_EXPORT_MODE"):
        load_config(tmp_path, dict(roots, OFFICIAL_EXPORT_SOURCE="admin_api"))


def test_a_malformed_email_is_refused_when_the_configuration_loads(tmp_path):
    with pytest.raises(ConfigError, match="NOTION_ADMIN_USER_EMAIL.*e-mail address"):
        load_config(tmp_path, dict(ADMIN, NOTION_ADMIN_USER_EMAIL="owner"))


def test_the_admin_token_is_masked(tmp_path):
    load_config(tmp_path, ADMIN)
    assert ADMIN["NOTION_ADMIN_TOKEN"] not in redact(f"Bearer {ADMIN['NOTION_ADMIN_TOKEN']}")
