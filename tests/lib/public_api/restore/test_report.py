"""Tests for the restore's report: each loss listed once, created objects counted."""
from lib.public_api.restore.report import RestoreReport


def test_report_lists_each_loss_once_and_counts_what_was_created():
    report = RestoreReport()
    for _ in range(2):
        report.loss("media", "Home (1)", "image could not be uploaded")
    report.count("blocks", 3)
    assert report.losses == [{"kind": "media", "where": "Home (1)", "detail": "image could not be uploaded"}]
    assert report.counts["blocks"] == 3 and report.counts["pages"] == 0
