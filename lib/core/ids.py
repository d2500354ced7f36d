"""Notion ids: space ids and page ids or page URLs, always returned in dashed form."""
import re
from urllib.parse import unquote, urlsplit

from lib.core.errors import ConfigError

_ID = re.compile(r"(?i)([0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12})(?![0-9a-f])")


def dashed(hex_id):
    """Return the dashed, lower-case form of a 32-hex or dashed id."""
    h = hex_id.replace("-", "").lower()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def find_id(text):
    """Return the dashed id in an id or a Notion URL, or None."""
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
    found = find_id(text or "")
    if not found:
        raise ConfigError([f"{setting}: {text!r} is not a Notion workspace id (expected 32 hex digits, "
                           "dashed or not, e.g. 1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b)"])
    return found


def parse_page_ids(text, setting="OFFICIAL_EXPORT_ROOT_PAGE_IDS"):
    """Return dashed page ids from comma/space/newline separated ids or Notion page URLs."""
    items = [item for item in re.split(r"[,\s]+", text or "") if item]
    ids, problems = [], []
    for item in items:
        found = find_id(item)
        if found:
            if found not in ids:
                ids.append(found)
        else:
            problems.append(f"{setting}: {item!r} is neither a page id (32 hex digits) nor a Notion page URL")
    if problems:
        raise ConfigError(problems)
    return ids
