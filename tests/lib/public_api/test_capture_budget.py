"""A capture cut short by its time budget continues over several runs to the same result as one whole capture."""
import json
import logging
import re
from pathlib import Path

import pytest

from lib.core.layout import CAPTURE_INDEX, CAPTURE_PROGRESS
from lib.public_api.capture import capture_workspace
from tests.fakes.notion_public import FakeNotionPublic, api_settings
from tests.fakes.public_workspace import block
from tests.fakes.public_writes import insert_blocks

# What differs between two stand-ins and two requests, whatever the capture does: ports, request ids, link expiry.
VOLATILE = re.compile(rb'127\.0\.0\.1:\d+|"(?:request_id|expiry_time)": "[^"]*"')
# 0.6 s per run while every request takes at least 20 ms: a run fits at most 30 of the capture's ~200 requests.
TINY = {"NOTION_JSON_CAPTURE_BUDGET_MINUTES": 0.01}


def files_of(root):
    """{relative path: bytes} below `root`: the index without its capture time, volatile values masked."""
    out = {}
    for path in sorted(Path(root).rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if path.name == CAPTURE_INDEX:
                index = json.loads(data)
                index.pop("captured_at")
                data = json.dumps(index, sort_keys=True).encode()
            out[str(path.relative_to(root))] = VOLATILE.sub(b"*", data)
    return out


def until_complete(fake, where, limit=40):
    """Run captures with the tiny budget until one is complete; return every run's summary."""
    summaries = []
    while not summaries or not summaries[-1]["complete"]:
        assert len(summaries) < limit, f"no complete capture after {limit} runs: {summaries[-1]}"
        summaries.append(capture_workspace(api_settings(fake, **TINY), where))
    return summaries


@pytest.mark.parametrize("version", ["2025-09-03", "2026-12-01"])
def test_a_capture_cut_by_its_budget_completes_over_runs_as_one_whole_capture(tmp_path, version, caplog):
    caplog.set_level(logging.INFO, logger="lib")
    with FakeNotionPublic(client_version=version) as fake:
        whole = capture_workspace(api_settings(fake), tmp_path / "whole")
    with FakeNotionPublic(client_version=version) as fake:
        fake.faults.delay = 0.02
        runs = until_complete(fake, tmp_path / "cut")
    assert len(runs) > 2 and whole["complete"] and whole["runs"] == 1
    for n, run in enumerate(runs[:-1], 1):
        assert run["complete"] is False and run["runs"] == n and run["objects"] < run["expected"]
    assert runs[-1]["runs"] == len(runs) and runs[-1]["objects"] == whole["objects"]
    assert sum(r["pages_fetched"] for r in runs) >= whole["pages_fetched"]
    assert not (tmp_path / "cut" / CAPTURE_PROGRESS).exists()
    assert files_of(tmp_path / "cut") == files_of(tmp_path / "whole")
    assert "ETA" in caplog.text and "objects" in caplog.text


def test_an_unfinished_capture_never_replaces_the_last_complete_one(tmp_path):
    with FakeNotionPublic() as fake:
        capture_workspace(api_settings(fake), tmp_path / "json")
        index = (tmp_path / "json" / CAPTURE_INDEX).read_bytes()
        for key in ("home", "notes", "deep", "deeper"):
            insert_blocks(fake.store, fake.ids[key], {"type": "page_id", "page_id": fake.ids[key]},
                          [block("paragraph", "Edited")])
        fake.faults.delay = 0.2  # 0.6 s of budget: the search and about two pages
        first = capture_workspace(api_settings(fake, **TINY), tmp_path / "json")
        assert first["complete"] is False and 1 <= first["pages_fetched"] < 4
        assert (tmp_path / "json" / CAPTURE_INDEX).read_bytes() == index
        progress = json.loads((tmp_path / "json" / CAPTURE_PROGRESS).read_text())
        assert progress["runs"] == 1 and progress["fetched"] == first["pages_fetched"]
        fake.faults.delay = 0
        last = capture_workspace(api_settings(fake, **TINY), tmp_path / "json")
    assert last["complete"] is True and last["runs"] == 2 and last["pages_fetched"] == 4 - first["pages_fetched"]
    assert (tmp_path / "json" / CAPTURE_INDEX).read_bytes() != index
