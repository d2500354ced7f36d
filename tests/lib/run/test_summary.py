"""The token_v2 reminder: days left from the recorded expiry, and a warning that says what to do."""
import datetime

from lib.run.summary import token_status, token_warning

TODAY = datetime.date(2026, 11, 21)


def test_unknown_expiry_gives_no_status():
    assert token_status("", TODAY) is None


def test_days_left_count_calendar_days():
    assert token_status("2026-12-01", TODAY) == {"expires": "2026-12-01", "days_left": 10}
    assert token_status("2026-11-20", TODAY)["days_left"] == -1


def test_warning_names_the_date_and_both_variables_to_refresh():
    soon = token_warning(token_status("2026-11-22", TODAY))
    assert soon.startswith("token_v2 expires on 2026-11-22 (in 1 day)")
    assert "NATIVE_EXPORT_TOKEN_V2 " in soon and "NATIVE_EXPORT_TOKEN_V2_EXPIRES" in soon
    assert token_warning(token_status("2026-11-21", TODAY)).startswith("token_v2 expires on 2026-11-21 (today)")
    assert token_warning(token_status("2026-11-18", TODAY)).startswith("token_v2 expired on 2026-11-18 (3 days ago)")


def test_verdict_and_exit_status_follow_the_outcome_types():
    from lib.core.errors import ExitStatus
    from lib.run.summary import exit_status_of, verdict_of
    done = {"pull": {"outcome": "done"}, "export": {"outcome": "done"}}
    assert (verdict_of(done), exit_status_of(done, False)) == ("success", ExitStatus.OK)
    refused = dict(done, gate={"outcome": "refused", "error": {"class": "SomethingElse"}})
    assert (verdict_of(refused), exit_status_of(refused, False)) == ("refused", ExitStatus.REFUSED)
    failed = dict(done, export={"outcome": "failed", "error": {"class": "GateRefused"}})  # the name decides nothing
    assert (verdict_of(failed), exit_status_of(failed, False)) == ("failed", ExitStatus.REFUSED)
    crashed = dict(done, render={"outcome": "error"})
    assert (verdict_of(crashed), exit_status_of(crashed, False)) == ("failed", ExitStatus.BUG)
    assert exit_status_of(done, True) == ExitStatus.BUG
