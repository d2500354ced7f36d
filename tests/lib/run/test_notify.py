"""Alerts reach a real HTTP receiver; a dead target is a warning, never an exception."""
import logging
import socket

from lib.run.notify import send_alert
from lib.core.redact import register_secret
from tests.fakes.receiver import AlertReceiver


def test_alert_is_delivered_with_title_and_body():
    with AlertReceiver() as receiver:
        assert send_alert([receiver.url], "Notion backup refused", "gate refused: pages dropped 70%")
    assert len(receiver.messages) == 1
    assert receiver.messages[0]["title"] == "Notion backup refused"
    assert "pages dropped 70%" in receiver.messages[0]["message"]


def test_secrets_are_redacted_from_alerts():
    register_secret("alert-secret-xyz")
    with AlertReceiver() as receiver:
        send_alert([receiver.url], "t", "cookie alert-secret-xyz expired")
    assert "alert-secret-xyz" not in str(receiver.messages)


def test_unreachable_target_is_only_a_warning(caplog):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with caplog.at_level(logging.WARNING):
        assert send_alert([f"json://127.0.0.1:{port}/x"], "t", "b") is False
    assert any("alert" in r.getMessage() for r in caplog.records)


def test_no_urls_sends_nothing():
    assert send_alert([], "t", "b") is False
