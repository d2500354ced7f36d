"""Atomic JSON writes and tree manifests, including names that are not UTF-8."""
import json
import os

from lib.core.fsutil import read_json, tree_manifest, write_json_atomic


def test_json_round_trips_non_utf8_and_emoji_names(tmp_path):
    odd = os.fsdecode(b"bad-\xff-name.md")
    write_json_atomic(tmp_path / "m.json", {"files": [odd, "Caf\u00e9 \U0001f600.md"]})
    assert read_json(tmp_path / "m.json") == {"files": [odd, "Caf\u00e9 \U0001f600.md"]}


def test_plain_names_stay_readable_utf8(tmp_path):
    write_json_atomic(tmp_path / "m.json", {"name": "Caf\u00e9"})
    assert "Caf\u00e9" in (tmp_path / "m.json").read_text(encoding="utf-8")


def test_tree_manifest_lists_every_file_with_size_and_hash(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.md").write_bytes(b"hello")
    (tmp_path / os.fsdecode(b"y-\xfe.bin")).write_bytes(b"")
    manifest = tree_manifest(tmp_path)
    assert manifest["count"] == 2 and manifest["bytes"] == 5
    assert manifest["files"][0]["sha256"] == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    write_json_atomic(tmp_path / "tree.json", manifest)
    assert json.loads((tmp_path / "tree.json").read_text())["count"] == 2
