"""Roots mode reads its roots from the environment/config, else backups/manifests/roots.json."""
import json

import pytest

from lib.config import load_config
from lib.core.errors import ConfigError
from lib.notion.export import root_ids
from lib.core.layout import Layout

ID = "1f2e3d4c5b6a47988a7b6c5d4e3f2a1b"
DASHED = "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b"
OTHER = "01234567-89ab-cdef-0123-456789abcdef"


def roots(tmp_path, env):
    """The roots a run in project `tmp_path` exports with environment `env`."""
    cfg = load_config(tmp_path, {"NOTION_SPACE_ID": ID, "OFFICIAL_EXPORT_MODE": "roots", **env})
    return root_ids(cfg, Layout.for_config(cfg))


def write_roots_json(tmp_path, data):
    manifests = tmp_path / "backups" / "manifests"
    manifests.mkdir(parents=True, exist_ok=True)
    (manifests / "roots.json").write_text(data if isinstance(data, str) else json.dumps(data))


def test_roots_from_the_environment_accept_page_urls(tmp_path):
    assert roots(tmp_path, {"OFFICIAL_EXPORT_ROOT_PAGE_IDS": f"https://www.notion.so/My-Page-{ID}"}) == [DASHED]


def test_the_environment_wins_over_roots_json(tmp_path):
    write_roots_json(tmp_path, {"root_page_ids": [OTHER]})
    assert roots(tmp_path, {"OFFICIAL_EXPORT_ROOT_PAGE_IDS": ID}) == [DASHED]


def test_roots_fall_back_to_roots_json_in_its_accepted_shapes(tmp_path):
    write_roots_json(tmp_path, {"root_page_ids": [ID]})
    assert roots(tmp_path, {}) == [DASHED]
    write_roots_json(tmp_path, {"roots": [{"id": ID}, f"https://www.notion.so/x-{OTHER.replace('-', '')}"]})
    assert roots(tmp_path, {}) == [DASHED, OTHER]


def test_missing_or_broken_roots_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="no root page ids"):
        roots(tmp_path, {})
    write_roots_json(tmp_path, "{broken")
    with pytest.raises(ConfigError, match="not valid JSON"):
        roots(tmp_path, {})


def test_workspace_mode_ignores_roots(tmp_path):
    cfg = load_config(tmp_path, {"NOTION_SPACE_ID": ID, "OFFICIAL_EXPORT_ROOT_PAGE_IDS": ID})
    assert root_ids(cfg, Layout.for_config(cfg)) == []
