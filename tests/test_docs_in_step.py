"""Drift checks: settings, stages and docs stay in step with the code."""
import ast
from pathlib import Path

from lib.config.settings import SECRETS, SETTINGS
from tasks import STAGES

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_in_backup_config_yaml_and_env_example():
    config = (ROOT / "backup.config.yaml").read_text()
    example = (ROOT / ".env.example").read_text()
    for setting in SETTINGS:
        section, name = setting.key.split(".")
        assert f"\n{section}:\n" in config and f"  {name}:" in config, setting.key
        assert f"(env {setting.env})" in config, setting.env
        assert f"# {setting.env}=" in example, setting.env
    for name in SECRETS:
        assert f"\n{name}=" in example, name


def test_config_documents_are_generated_from_the_settings():
    from lib.config.settings import render_config_yaml, render_env_example
    assert (ROOT / "backup.config.yaml").read_text() == render_config_yaml(), "run: python -m lib.config.settings"
    assert (ROOT / ".env.example").read_text() == render_env_example(), "run: python -m lib.config.settings"


def test_backup_config_yaml_loads_to_the_defaults(tmp_path):
    from lib.config import load_config
    cfg = load_config(ROOT, {})
    for setting in SETTINGS:
        assert cfg[setting.key] == setting.default, setting.key


def test_dodo_has_one_documented_creator_per_stage_and_the_readme_lists_them():
    tree = ast.parse((ROOT / "dodo.py").read_text())
    creators = {node.name[5:]: ast.get_docstring(node) for node in tree.body
                if isinstance(node, ast.FunctionDef) and node.name.startswith("task_")}
    assert set(STAGES) <= set(creators)
    assert all(creators[stage] for stage in creators)
    readme = (ROOT / "README.md").read_text()
    for stage in STAGES:
        assert f"| {stage} |" in readme, stage
