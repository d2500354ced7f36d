"""Pages, database rows and databases of a restore: each created once under its new parent, journaled."""
from lib.public_api.client import NotionApiError
from lib.public_api.restore.block_tree import walk
from lib.public_api.restore.md_body import page_markdown

BODY_SENT = "markdown"  # the journal's note that a page's body went with the page


def write_icon(obj):
    """Return a page or database icon in write shape (emoji or external), or None."""
    icon = obj.get("icon") or {}
    if icon.get("type") == "emoji":
        return {"type": "emoji", "emoji": icon["emoji"]}
    if icon.get("type") == "external":
        return {"type": "external", "external": {"url": icon["external"]["url"]}}
    return None


class PageCreator:
    """Creates pages, rows and databases (with their data sources); hands each page on to be filled."""

    def __init__(self, api, journal, snapshot, converter, uploader, report, fill_later, markdown_bodies=True):
        self.api, self.journal, self.snapshot, self.converter = api, journal, snapshot, converter
        self.uploader, self.report, self.fill_later = uploader, report, fill_later
        self.markdown_bodies = markdown_bodies

    def create(self, old, parent_new):
        """Create a captured page or database under a new page."""
        if self.snapshot.objects[old]["type"] == "page":
            self.create_page(old, parent_new)
        else:
            self.create_database(old, parent_new)

    def create_child(self, block, owner):
        """Create the page or database a child block stands for, under the owner page."""
        old = block["id"]
        if old not in self.snapshot.objects:
            self.report.loss("page", self.snapshot.where(owner),
                             f"'{block[block['type']].get('title', '')}' ({old}) is not in the backup")
        else:
            self.create(old, self.journal.map[owner])

    def create_page(self, old, parent_new, data_source=None, writable=()):
        """Create a page (or a row of a data source) once; hand it on to be filled."""
        key = f"page:{old}"
        doc = self.snapshot.document(old)
        if key not in self.journal.done:
            body = self._page_body(old, doc["page"], parent_new, data_source, writable)
            # The body in the same request, where nothing in it needs a block id afterwards.
            markdown = page_markdown(doc["blocks"]) if self.markdown_bodies else None
            if markdown is not None:
                body.update(markdown=markdown, markdown_version="v2")
            created = self._post_page(old, body, {"op": "intent", "key": key, "old": old, "parent": parent_new,
                                                  "data_source": data_source,
                                                  "title": self.snapshot.objects[old]["title"]})
            sent = {"value": BODY_SENT} if "markdown" in body else {}
            self.journal.mapped({old: created["id"]}, key, **sent)
            if sent:
                self.report.count("blocks", sum(1 for _ in walk(doc["blocks"])))
            self.report.count("rows" if data_source else "pages")
        self.fill_later(old)

    def body_sent(self, old):
        """Tell whether a page's body went with the page (only its sub-pages and comments are left to do)."""
        return self.journal.extra.get(f"page:{old}") == BODY_SENT

    def _page_body(self, old, page, parent_new, data_source, writable):
        if data_source:
            body = {"parent": {"type": "data_source_id", "data_source_id": data_source},
                    "properties": self.converter.values(page["properties"], writable, self.snapshot.where(old))}
        else:
            title = [{"type": "text", "text": {"content": self.snapshot.objects[old]["title"]}}]
            body = {"parent": {"type": "page_id", "page_id": parent_new},
                    "properties": {"title": {"title": self.converter.rich(title)}}}
        if write_icon(page):
            body["icon"] = write_icon(page)
        if (page.get("cover") or {}).get("type") == "external":
            body["cover"] = {"type": "external", "external": {"url": page["cover"]["external"]["url"]}}
        return body

    def _post_page(self, old, body, intent):
        """POST a page, its intent journaled first; a body Notion cannot parse goes by block appends instead."""
        self.journal.write(dict(intent, markdown="markdown" in body))
        if "markdown" in body:
            try:
                return self.api.request("POST", "pages", body=body)
            except NotionApiError as err:
                if err.status != 400:
                    raise
                del body["markdown"], body["markdown_version"]
                self.journal.write(dict(intent, markdown=False))
        return self._post_plain(old, body)

    def _post_plain(self, old, body):
        where = self.snapshot.where(old)
        try:
            body = self.uploader.resolve(body)
        except NotionApiError as err:
            self.report.loss("media", where, f"files in its properties were refused by Notion ({err.code})")
            body["properties"] = {k: v for k, v in body["properties"].items() if "files" not in v}
        try:
            return self.api.request("POST", "pages", body=body)
        except NotionApiError as err:
            if err.status != 400:
                raise
            # Keep the page: drop what Notion refused (people of another workspace, a bad icon...).
            titles = {k: v for k, v in body["properties"].items() if "title" in v}
            self.report.loss("property", where, f"properties other than the title were refused and "
                             f"left empty: {str(err)[:200]}")
            return self.api.request("POST", "pages", body={"parent": body["parent"], "properties": titles})

    def create_database(self, old, parent_new):
        """Create a database with its data sources (relations come later) and its rows."""
        doc = self.snapshot.document(old)
        where, key = self.snapshot.where(old), f"database:{old}"
        sources = doc["data_sources"]
        schemas = [self.converter.schema(s["data_source"].get("properties", {}), where) for s in sources]
        if any(p["type"] in ("formula", "rollup") for s in sources for p in s["data_source"]["properties"].values()):
            self.report.loss("database", where, "formula and rollup values are recomputed by Notion, not copied")
        if key not in self.journal.done and sources:
            db = doc["database"]
            body = {"parent": {"type": "page_id", "page_id": parent_new}, "title": self.converter.rich(db.get("title")),
                    "is_inline": bool(db.get("is_inline")), "initial_data_source": {"properties": schemas[0][0]}}
            if write_icon(db):
                body["icon"] = write_icon(db)
            first = sources[0]["data_source"]["id"]
            self.journal.write({"op": "intent", "key": key, "old": old, "parent": parent_new,
                                "title": self.snapshot.objects[old]["title"], "first_source": first})
            created = self.api.request("POST", "databases", body=body)
            self.journal.mapped({old: created["id"], first: created["data_sources"][0]["id"]}, key)
            self.report.count("databases")
        for source, (creatable, _later) in list(zip(sources, schemas))[1:]:
            self._create_data_source(old, source["data_source"], creatable)
        for source, (creatable, _later) in zip(sources, schemas):
            for row in source["rows"]:
                if row in self.snapshot.objects:
                    self.create_page(row, None, self.journal.map[source["data_source"]["id"]], set(creatable))

    def _create_data_source(self, database_old, data_source, properties):
        key = f"source:{data_source['id']}"
        if key not in self.journal.done:
            created = self.api.request("POST", "data_sources", body={
                "parent": {"type": "database_id", "database_id": self.journal.map[database_old]},
                "title": self.converter.rich(data_source.get("title")), "properties": properties})
            self.journal.mapped({data_source["id"]: created["id"]}, key)
