"""Tests for reading a capture for a restore: its format, its index and its users."""
import json

import pytest

from lib.core.errors import ConfigError
from lib.public_api.restore.captured import Snapshot
from lib.public_api.restore.sources import DirSource


def _capture(tmp_path, index, users=None):
    (tmp_path / "index.json").write_text(json.dumps(index))
    if users is not None:
        (tmp_path / "users.json").write_text(json.dumps(users))
    return DirSource(tmp_path)


def test_roots_come_by_title_then_id_and_users_by_name(tmp_path):
    objects = {"b": {"title": "Alpha"}, "a": {"title": "Alpha"}, "c": {"title": "Aardvark"}}
    users = {"users": [{"id": "u1", "name": "Ada"}, {"id": "u2"}]}
    snapshot = Snapshot(_capture(tmp_path, {"format": 1, "objects": objects, "roots": ["b", "a", "c"]}, users))
    assert snapshot.roots() == ["c", "a", "b"]
    assert snapshot.users == {"u1": "Ada", "u2": "someone"}
    assert snapshot.where("a") == "Alpha (a)" and snapshot.where("gone") == "Untitled (gone)"


def test_capture_without_users_restores_with_no_names(tmp_path):
    assert Snapshot(_capture(tmp_path, {"format": 1, "objects": {}, "roots": []})).users == {}


def test_other_format_or_no_index_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="index.json is missing"):
        Snapshot(DirSource(tmp_path))
    with pytest.raises(ConfigError, match="has format 2"):
        Snapshot(_capture(tmp_path, {"format": 2, "objects": {}, "roots": []}))
