"""A setting's raw value (YAML or environment text) turned into its typed, checked value, or the reason it cannot be."""
import datetime
import math

from lib.core.ids import find_id

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def _coerce(setting, value, from_env):
    """Return `value` converted to the setting's type; raise ValueError with the reason."""
    kind = setting.kind
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if from_env and str(value).strip().lower() in TRUE_WORDS | FALSE_WORDS:
            return str(value).strip().lower() in TRUE_WORDS
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        raise ValueError("must be true or false")
    if kind in ("int", "float"):
        if isinstance(value, bool):
            raise ValueError(f"must be a number, not {value!r}")
        try:
            number = int(str(value).strip()) if kind == "int" else float(str(value).strip())
        except ValueError:
            raise ValueError(f"must be {'a whole number' if kind == 'int' else 'a number'}, not {value!r}") from None
        if not math.isfinite(number):
            raise ValueError(f"must be a finite number, not {value!r}")
        if setting.minimum is not None and number < setting.minimum:
            raise ValueError(f"must be ≥ {setting.minimum:g}, not {number:g}")
        if setting.maximum is not None and number > setting.maximum:
            raise ValueError(f"must be ≤ {setting.maximum:g}, not {number:g}")
        return number
    if kind in ("list", "page_ids"):
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if not (isinstance(value, list) and all(isinstance(item, str) for item in value)):
            raise ValueError("must be a list of strings or a comma-separated string")
        return _page_ids(value) if kind == "page_ids" else list(value)
    if value is None:
        value = ""
    if kind == "date":
        return _date(value)
    if isinstance(value, datetime.date):  # YAML reads `run_id: 2026-12-01` as a date
        value = value.isoformat()
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise ValueError(f"must be text, not {type(value).__name__}")
    value = str(value).strip()
    if kind == "choice" and value not in setting.choices:
        raise ValueError(f"must be one of {', '.join(setting.choices)}, not {value!r}")
    return value


def _page_ids(items):
    """Return dashed page ids from ids or page URLs, without repeats; ValueError naming a bad one."""
    ids = []
    for item in items:
        found = find_id(item)
        if not found:
            raise ValueError(f"{item!r} is neither a page id (32 hex digits) nor a Notion page URL")
        if found not in ids:
            ids.append(found)
    return ids


def checked_value(setting, value, from_env):
    """Return the coerced value after the setting's own rule; ValueError with the reason."""
    value = _coerce(setting, value, from_env)
    problem = setting.check(value) if setting.check else None
    if problem:
        raise ValueError(problem)
    return value


def _date(value):
    """Return an ISO date (YYYY-MM-DD) from a YAML date, a date or a browser's ISO timestamp; "" stays ""."""
    if isinstance(value, datetime.date):
        return value.isoformat()[:10]
    text = str(value).strip()
    if not text:
        return ""
    try:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        raise ValueError(f"must be a date like 2027-05-14, not {text!r}") from None
