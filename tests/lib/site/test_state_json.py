"""The build state files: written a slice at a time, byte for byte the JSON of the whole, atomically."""
import json
import os

import pytest
from hypothesis import given, settings, strategies as st

from lib.site import state_json as state

NAMES = st.text(max_size=6)     # surrogate escapes included: a name that is not UTF-8 stays exact
VALUES = st.recursive(st.none() | st.booleans() | st.integers() | NAMES,
                      lambda inner: st.lists(inner, max_size=4) | st.dictionaries(NAMES, inner, max_size=8),
                      max_leaves=40)


def compact(value):
    """The whole-text encoding: compact, ASCII."""
    return json.dumps(value, separators=(",", ":"))


@settings(max_examples=300, deadline=None)
@given(value=st.dictionaries(NAMES, VALUES, max_size=12), batch=st.integers(1, 5))
def test_pieces_join_into_the_whole_text(value, batch):
    pieces = list(state.json_parts(value, batch))
    assert "".join(pieces) == compact(value)
    # A dict larger than a batch is never encoded in one piece.
    if len(value) > batch:
        assert len(pieces) > 1


def test_written_file_reads_back_and_leaves_no_temporary(tmp_path):
    build = {"pages": {f"Page {n} é 🧬 \udcff.md": {"links": [str(n)], "title": f"Page {n}"} for n in range(2500)},
             "titles": {"a.md": "A"}, "version": "v"}
    path = tmp_path / ".build-state.json"
    state.write_json(path, build)
    assert path.read_bytes() == compact(build).encode("ascii")
    assert state.read_json(path) == build
    assert os.listdir(tmp_path) == [".build-state.json"]


def test_a_failed_write_keeps_the_previous_file(tmp_path):
    path = tmp_path / ".build-state.json"
    state.write_json(path, {"version": "old"})
    with pytest.raises(TypeError):     # not JSON: the write stops half-way, after the first pieces
        state.write_json(path, {"pages": {str(n): n for n in range(3000)}, "z": object()})
    assert state.read_json(path) == {"version": "old"}
    assert os.listdir(tmp_path) == [".build-state.json"]
