"""One redaction layer: every secret value and signed-URL signature is masked before output."""
import logging
import re

MASK = "***"
_secrets = set()
# Signed links carry their credential in the query string; keep the path, drop the rest.
_SIGNED_QUERY = re.compile(r"(?i)((?:signature|x-amz-signature|x-amz-credential|x-amz-security-token|token|expirationTimestamp)=)[^&\s\"'<>]+")


def register_secret(value):
    """Remember a secret so that `redact` masks it everywhere from now on."""
    if value and len(value) >= 4:
        _secrets.add(value)
        # Cookies are often seen URL-encoded or decoded; mask both spellings.
        from urllib.parse import quote, unquote
        _secrets.add(unquote(value))
        _secrets.add(quote(value, safe=""))


def redact(text):
    """Return `text` with every registered secret and URL signature masked."""
    if not text:
        return text
    text = str(text)
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return _SIGNED_QUERY.sub(lambda m: m.group(1) + MASK, text)


def redact_data(value):
    """Return a deep copy of a JSON-like value with every string redacted."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: redact_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_data(v) for v in value]
    return value


class RedactingFilter(logging.Filter):
    """Logging filter that redacts the fully formatted message and any traceback."""

    def filter(self, record):
        message = record.getMessage()
        record.msg, record.args = redact(message), None
        if record.exc_info:
            import traceback
            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)))
            record.exc_info = None
        return True
