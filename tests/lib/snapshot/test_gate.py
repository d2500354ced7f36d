"""The quality gate's verdicts."""
from lib.snapshot.gate import evaluate

GOOD = {"md": 500, "csv": 40, "attachments": 80, "bytes": 10_000_000}


def test_first_snapshot_is_judged_by_the_minimums_only():
    assert evaluate(GOOD, None, 100, 10, 60)["verdict"] == "passed"
    refused = evaluate({**GOOD, "md": 12}, None, 100, 10, 60)
    assert refused["verdict"] == "refused"
    assert "only 12 Markdown pages, expected at least 100" in refused["reasons"][0]
    assert "QUALITY_MIN_MD_COUNT" in refused["reasons"][0]


def test_a_drop_past_the_threshold_is_refused_with_the_numbers_and_the_setting():
    shrunk = {**GOOD, "md": 150}
    verdict = evaluate(shrunk, GOOD, 100, 10, 60)
    assert verdict["verdict"] == "refused"
    assert "Markdown pages dropped 70% (500 -> 150)" in verdict["reasons"][0]
    assert "QUALITY_MAX_DROP_PERCENT" in verdict["reasons"][0]


def test_bytes_and_attachments_are_gated_too():
    assert evaluate({**GOOD, "bytes": 1_000_000}, GOOD, 100, 10, 60)["verdict"] == "refused"
    assert evaluate({**GOOD, "attachments": 10}, GOOD, 100, 10, 60)["verdict"] == "refused"
    assert evaluate({**GOOD, "attachments": 60}, GOOD, 100, 10, 60)["verdict"] == "passed"


def test_accept_drop_lets_one_large_deletion_through_and_says_so():
    verdict = evaluate({**GOOD, "md": 150}, GOOD, 100, 10, 60, accept_drop=True)
    assert verdict["verdict"] == "passed"
    assert verdict["accepted_drop"] is True
    assert verdict["accepted_reasons"]


def test_accept_drop_does_not_waive_the_minimums():
    verdict = evaluate({**GOOD, "md": 50}, GOOD, 100, 10, 60, accept_drop=True)
    assert verdict["verdict"] == "refused"
