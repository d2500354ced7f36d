"""Notion id parsing: space ids and page ids or page URLs, always returned in dashed form."""
import json
import re
from urllib.parse import unquote, urlsplit

from lib.errors import ConfigError

_ID = re.compile(r"(?i)([0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12})(?![0-9a-f])")


def dashed(hex_id):
    """Return the dashed, lower-case form of a 32-hex or dashed id."""
    h = hex_id.replace("-", "").lower()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _find_id(text):
    text = text.strip()
    if "://" in text or text.startswith("www.") or "notion.so" in text or "notion.com" in text:
        path = unquote(urlsplit(text if "://" in text else "https://" + text).path)
        # the page id is the last id in the path (after the title slug); the query may hold a view id
        found = [m for m in _ID.findall(path) if len(m.replace("-", "")) == 32]
        return dashed(found[-1]) if found else None
    match = _ID.fullmatch(text)
    return dashed(match.group(1)) if match else None


def parse_space_id(text, setting="NOTION_SPACE_ID"):
    """Return the dashed space id from a dashed or 32-hex id; ConfigError otherwise."""
    found = _find_id(text or "")
    if not found:
        raise ConfigError([f"{setting}: {text!r} is not a Notion workspace id (expected 32 hex digits, "
                           "dashed or not, e.g. 1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b)"])
    return found


def parse_page_ids(text, setting="OFFICIAL_EXPORT_ROOT_PAGE_IDS"):
    """Return dashed page ids from comma/space/newline separated ids or Notion page URLs."""
    items = [item for item in re.split(r"[,\s]+", text or "") if item]
    ids, problems = [], []
    for item in items:
        found = _find_id(item)
        if found:
            if found not in ids:
                ids.append(found)
        else:
            problems.append(f"{setting}: {item!r} is neither a page id (32 hex digits) nor a Notion page URL")
    if problems:
        raise ConfigError(problems)
    return ids


def resolve_root_ids(env_text, config_value=None, roots_json=None):
    """Roots for roots mode: the environment, else the config list, else roots.json; dashed ids."""
    if env_text and env_text.strip():
        return parse_page_ids(env_text, "OFFICIAL_EXPORT_ROOT_PAGE_IDS")
    if config_value:
        text = config_value if isinstance(config_value, str) else ",".join(map(str, config_value))
        return parse_page_ids(text, "backup.config.yaml root page ids")
    if roots_json is None:
        return []
    try:
        with open(roots_json, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        return []
    except ValueError as exc:
        raise ConfigError([f"{roots_json}: not valid JSON ({exc})"]) from None
    # accepted shapes: ["id or url", ...], {"root_page_ids"|"roots": [...]}, entries as strings or {"id"|"url": ...}
    items = (data.get("root_page_ids") or data.get("roots") or []) if isinstance(data, dict) else data
    texts = [item if isinstance(item, str) else str(item.get("id") or item.get("url") or "")
             for item in items if isinstance(item, (str, dict))]
    return parse_page_ids(",".join(t for t in texts if t), str(roots_json))
