"""Capture of one page through the public API: block tree, hosted files, comments, full properties."""
import logging
from urllib.parse import urlsplit, urlunsplit

from lib.public_api.client import FileExpired, NotionApiError, NotionSkipped

log = logging.getLogger(__name__)
MEDIA = {"image", "file", "pdf", "video", "audio"}
LEAF_CHILDREN = {"child_page", "child_database"}
NO_COMMENTS = {"child_page", "child_database", "column_list", "column", "table_row", "unsupported",
               "synced_block", "divider", "breadcrumb", "table_of_contents"}
CAPPED = {"relation", "people"}
REF_CAP = 25


def unsigned(url):
    """Return a signed URL without its query string (the signature is a credential)."""
    parts = urlsplit(url or "")
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


class PageFetcher:
    """Reads pages, blocks and comments; downloads hosted files as soon as they are seen."""

    def __init__(self, api, files_dir, comments="blocks"):
        self.api = api
        self.files_dir = files_dir
        self.comments = comments
        self.file_refs = set()

    def store_file(self, fobj, refresh=None, name=None):
        """Download a hosted file object now and rewrite it to point at the stored copy."""
        if not fobj or fobj.get("type") != "file":
            return fobj
        url = fobj["file"]["url"]
        try:
            stored = self.api.download(url, self.files_dir, name or fobj.get("name"))
        except FileExpired:
            if refresh is None:
                raise
            log.info("signed file link expired before download; re-reading its block")
            fresh = refresh()
            stored = self.api.download(fresh["file"]["url"], self.files_dir, name or fobj.get("name"))
        self.file_refs.add(stored["path"])
        fobj = dict(fobj)
        fobj["file"] = {"url": unsigned(url), "expiry_time": fobj["file"].get("expiry_time")}
        fobj["backup_file"] = stored
        return fobj

    def block_files(self, block):
        """Download the hosted media of one block."""
        kind = block["type"]
        if kind in MEDIA and block[kind].get("type") == "file":
            def refresh():
                again = self.api.request("GET", f"blocks/{block['id']}")
                return again[kind]
            block[kind] = self.store_file(block[kind], refresh)
        if kind == "callout" and (block[kind].get("icon") or {}).get("type") == "file":
            block[kind]["icon"] = self.store_file(block[kind]["icon"], name="icon")

    def children(self, block_id, owner, found):
        """Return the full block tree below `block_id`; child pages/databases go into `found`."""
        out = []
        for block in self.api.paginate("GET", f"blocks/{block_id}/children", skip_missing=True):
            kind = block["type"]
            if kind in LEAF_CHILDREN:
                found.append({"id": block["id"], "kind": "page" if kind == "child_page" else "database",
                              "owner": owner, "title": block[kind].get("title", "")})
            self.block_files(block)
            if block.get("has_children") and kind not in LEAF_CHILDREN:
                try:
                    block["children"] = self.children(block["id"], owner, found)
                except NotionSkipped:
                    block["children"] = []
                    block["children_skipped"] = True
            if self.comments == "blocks" and kind not in NO_COMMENTS:
                block_comments = self.list_comments(block["id"])
                if block_comments:
                    block["comments"] = block_comments
            out.append(block)
        return out

    def list_comments(self, block_id):
        """Return the unresolved comments on a page or block ([] when comments cannot be read)."""
        if self.comments == "off":
            return []
        try:
            return list(self.api.paginate("GET", "comments", query={"block_id": block_id}, skip_missing=True))
        except NotionSkipped as skip:
            if skip.code == "restricted_resource":
                log.warning("comments are not readable by this integration (capability off); skipping them")
                self.comments = "off"
            return []

    def full_properties(self, page):
        """Replace reference lists cut at 25 with the full list from the property-item endpoint."""
        for name, prop in page.get("properties", {}).items():
            kind = prop.get("type")
            capped = prop.get("has_more") or (kind in CAPPED and len(prop.get(kind) or []) >= REF_CAP)
            if kind in CAPPED and capped:
                items = self.api.paginate("GET", f"pages/{page['id']}/properties/{prop['id']}")
                prop[kind] = [item[kind] for item in items if item.get("type") == kind]
                prop["has_more"] = False
            if kind == "files":
                prop["files"] = [self.store_file(f, name=f.get("name")) for f in prop["files"]]
        for key in ("icon", "cover"):
            if (page.get(key) or {}).get("type") == "file":
                page[key] = self.store_file(page[key], name=key)
        return page

    def page_document(self, page, found):
        """Fetch a page's whole content and return its JSON document."""
        page = self.full_properties(page)
        blocks = self.children(page["id"], page["id"], found)
        return {"object": "page", "page": page, "blocks": blocks, "comments": self.list_comments(page["id"])}


def database_views(api, database_id):
    """Every view of a database (name, type, filter, sorts, configuration), or None when they cannot be read."""
    try:
        refs = list(api.paginate("GET", "views", query={"database_id": database_id}, skip_missing=True))
        return [api.request("GET", f"views/{ref['id']}", skip_missing=True) for ref in refs]
    except (NotionSkipped, NotionApiError) as error:
        log.warning("views of database %s not captured (%s)", database_id, getattr(error, "code", error))
        return None


def tree_links(blocks, owner, found):
    """Collect child pages and databases from a stored block tree (for reused documents)."""
    for block in blocks:
        kind = block.get("type")
        if kind in LEAF_CHILDREN:
            found.append({"id": block["id"], "kind": "page" if kind == "child_page" else "database",
                          "owner": owner, "title": block[kind].get("title", "")})
        tree_links(block.get("children") or [], owner, found)


def hosted_files(value):
    """Yield every file object with a stored copy (`backup_file`) anywhere in a JSON document."""
    if isinstance(value, dict):
        stored = value.get("backup_file")
        if isinstance(stored, dict) and "path" in stored:
            yield value
        for item in value.values():
            yield from hosted_files(item)
    elif isinstance(value, list):
        for item in value:
            yield from hosted_files(item)


def document_files(value, out):
    """Collect every stored file path referenced anywhere in a JSON document."""
    out.update(fobj["backup_file"]["path"] for fobj in hosted_files(value))
    return out
