"""The redaction layer masks secrets and URL signatures in text, data and log records."""
import logging

from lib.core.log import setup_logging
from lib.core.redact import redact, redact_data, register_secret


def test_registered_secrets_and_signatures_are_masked():
    register_secret("s3cr3t-cookie-value")
    text = redact("Cookie: token_v2=s3cr3t-cookie-value; https://file.notion.so/f/t/x.zip?expirationTimestamp=1&signature=abcDEF")
    assert "s3cr3t" not in text
    assert "abcDEF" not in text
    assert "https://file.notion.so/f/t/x.zip" in text


def test_nested_data_is_redacted():
    register_secret("another-secret-1")
    assert redact_data({"a": ["x another-secret-1 y"], "n": 3}) == {"a": ["x *** y"], "n": 3}


def test_log_lines_and_tracebacks_are_redacted(capsys):
    register_secret("tb-secret-value")
    setup_logging()
    try:
        raise RuntimeError("failed with tb-secret-value")
    except RuntimeError:
        logging.getLogger("t").exception("while using %s", "tb-secret-value")
    err = capsys.readouterr().err
    assert "tb-secret-value" not in err
    assert "RuntimeError" in err
