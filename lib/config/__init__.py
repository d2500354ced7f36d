"""The configuration: loading, the settings table, value coercion, the rules, workspaces, the CI matrix."""
from lib.config.loading import Config, load_config
from lib.config.settings import SECRETS, SETTINGS

__all__ = ["Config", "load_config", "SECRETS", "SETTINGS"]
