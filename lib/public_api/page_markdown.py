"""Page bodies from Notion's own Markdown endpoint (GET /v1/pages/{id}/markdown), truncated subtrees fetched."""
import logging
import re

from lib.public_api.capture_page import tree_links
from lib.public_api.client import NotionApiError

log = logging.getLogger(__name__)
# The endpoint arrived with this Notion-Version; the capture keeps NOTION_API_VERSION for everything else.
MARKDOWN_VERSION = "2026-03-11"
# Notion-flavored Markdown v2, asked for on every request: v1 ("enhanced markdown") is deprecated and the version
# after 2026-12-01 refuses it. A page's stored Markdown names its version; another version is fetched again.
MARKDOWN_FORMAT = "v2"
GIVE_UP_AFTER = 3  # failures without one success before the endpoint counts as unavailable for the run
MAX_SUBTREES = 2000  # extra requests one page may cost (Notion truncates by record count)
HEX = re.compile(r"[0-9a-f]{32}")
# A signed link's query is its credential: the stored Markdown keeps the path only (the capture's files match it).
SIGNED = re.compile(r"(https?://[^\s\"'<>()?]+)\?[^\s\"'<>()]*?(?:signature|x-amz-|expires=)[^\s\"'<>()]*", re.I)


class Incomplete(Exception):
    """The endpoint's answer cannot be completed (a subtree it named is missing or could not be fetched)."""


def unsigned_text(text):
    """Return `text` with the query string of every signed URL removed."""
    return SIGNED.sub(lambda match: match.group(1), text)


class PageMarkdown:
    """Notion's Markdown for the pages of one capture; the block converter takes over where it cannot answer."""

    def __init__(self, api):
        self.api = api
        self.version = max(api.version, MARKDOWN_VERSION)  # ISO dates compare as text
        self.failures = self.successes = 0
        self.unavailable = None
        self.stats = {"pages": 0, "subtrees": 0, "failed": 0}

    def ensure(self, doc):
        """Give a page document Notion's Markdown of its current edit (kept when already there); True if it changed."""
        edited = doc["page"].get("last_edited_time")
        current = doc.get("markdown") or {}
        if current.get("last_edited_time") == edited and current.get("text") is not None \
                and current.get("markdown_version", "v1") == MARKDOWN_FORMAT:
            return False
        found = []
        tree_links(doc.get("blocks") or [], doc["page"]["id"], found)
        fetched = self.fetch(doc["page"]["id"], {item["id"].replace("-", ""): item for item in found})
        if fetched is None:
            # Without a fresh answer the converter renders the current blocks; stale Notion Markdown must go.
            return doc.pop("markdown", None) is not None
        doc["markdown"] = dict(fetched, last_edited_time=edited)
        return True

    def fetch(self, page_id, children=None):
        """Return {text, notion_version, markdown_version, subtrees} for a page, or None with the reason logged.

        `children` maps the 32-hex ids of the child pages and databases the capture found in the page to
        {kind, title}: when Notion cuts one off, its reference is written from these, never fetched (asking
        the endpoint for a child page's id would give that page's whole content)."""
        if self.unavailable:
            return None
        try:
            text, subtrees = self._whole(page_id, children or {})
        except (NotionApiError, Incomplete) as error:
            self.failures += 1
            self.stats["failed"] += 1
            reason = (f"HTTP {error.status} {error.code}" if getattr(error, "status", None) else str(error))[:300]
            log.warning("markdown: Notion's Markdown endpoint gave no body for page %s (%s); the block converter "
                        "writes it", page_id, reason)
            if not self.successes and self.failures >= GIVE_UP_AFTER:
                self.unavailable = reason
                log.warning("markdown: the endpoint failed %d times without one answer (%s; Notion-Version %s): "
                            "the block converter writes every page of this run", self.failures, reason, self.version)
            return None
        self.successes += 1
        self.stats["pages"] += 1
        self.stats["subtrees"] += subtrees
        return {"text": text, "notion_version": self.version, "markdown_version": MARKDOWN_FORMAT,
                "subtrees": subtrees}

    def _get(self, block_id):
        return self.api.request("GET", f"pages/{block_id}/markdown", query={"markdown_version": MARKDOWN_FORMAT},
                                version=self.version)

    def _whole(self, page_id, children):
        """The page's Markdown with every `<unknown>` subtree Notion named fetched and put in its place."""
        answer = self._get(page_id)
        text = answer.get("markdown") or ""
        pending, done, fetched = list(answer.get("unknown_block_ids") or []), set(), 0
        while pending:
            block_id = pending.pop(0)
            key = block_id.replace("-", "").lower()
            if key in done:
                continue
            done.add(key)
            if key in children:
                child = children[key]
                tag = "page" if child["kind"] == "page" else "database"
                text = splice(text, key, f'<{tag} url="https://www.notion.so/{key}">{child["title"]}</{tag}>')
                continue
            if fetched >= MAX_SUBTREES:
                raise Incomplete(f"more than {MAX_SUBTREES} truncated subtrees")
            fetched += 1
            part = self._get(block_id)
            text = splice(text, key, part.get("markdown") or "")
            pending += part.get("unknown_block_ids") or []
        return unsigned_text(text), fetched


def splice(text, key, subtree):
    """Put `subtree` where the `<unknown>` tag of block `key` (32 hex) stands, at that tag's indentation."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        stripped = line.lstrip("\t")
        if stripped.startswith("<unknown") and key in HEX.findall(stripped.replace("-", "").lower()):
            pad = line[:len(line) - len(stripped)]
            body = [pad + part if part else part for part in subtree.strip("\n").split("\n")]
            return "\n".join(lines[:index] + body + lines[index + 1:])
    raise Incomplete(f"Notion named block {key} as truncated but the Markdown holds no <unknown> tag for it")
