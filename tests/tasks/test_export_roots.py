"""Roots mode reads its roots from the environment/config, else backups/manifests/roots.json."""
import json

from lib.config import load_config
from lib.paths import Layout
from tasks.export import export_settings

ID = "1f2e3d4c5b6a47988a7b6c5d4e3f2a1b"
DASHED = "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b"


def settings(tmp_path, env):
    cfg = load_config(tmp_path, {"NOTION_SPACE_ID": ID, "OFFICIAL_EXPORT_MODE": "roots", **env})
    return export_settings(cfg, Layout.for_config(cfg))


def test_roots_from_the_environment_accept_page_urls(tmp_path):
    got = settings(tmp_path, {"OFFICIAL_EXPORT_ROOT_PAGE_IDS": f"https://www.notion.so/My-Page-{ID}"})
    assert got.root_ids == [DASHED] and got.space_id == DASHED


def test_roots_fall_back_to_roots_json(tmp_path):
    manifests = tmp_path / "backups" / "manifests"
    manifests.mkdir(parents=True)
    (manifests / "roots.json").write_text(json.dumps({"root_page_ids": [ID]}))
    assert settings(tmp_path, {}).root_ids == [DASHED]


def test_workspace_mode_ignores_roots(tmp_path):
    cfg = load_config(tmp_path, {"NOTION_SPACE_ID": ID, "OFFICIAL_EXPORT_ROOT_PAGE_IDS": ID})
    assert export_settings(cfg, Layout.for_config(cfg)).root_ids == []
