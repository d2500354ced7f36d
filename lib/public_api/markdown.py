"""Markdown + CSV in Notion's export layout, rebuilt from the public-API JSON capture."""
import csv
import io
import logging
import os
import re
import shutil
import uuid
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from lib.core.filenames import cut_utf8
from lib.core.fsutil import read_json, remove_tree
from lib.core.layout import CAPTURE_INDEX, CAPTURE_USERS
from lib.public_api.capture_page import hosted_files, unsigned
from lib.public_api.md_blocks import BlockRenderer, cell_text
from lib.public_api.notion_md import Links, convert

log = logging.getLogger(__name__)
UNSAFE = re.compile(r'[\\/?:*"<>|\x00-\x1f]')
HEX32 = re.compile(r"[0-9a-f]{32}")
NAME_BUDGET = 200  # bytes of a title in a file name


def safe_name(title, limit=50):
    """Return a title usable as a file name the way Notion's export shortens it."""
    # Characters as Notion counts them, and bytes as the filesystem does: an id, an extension or a
    # digest prefix still fits beside 200 bytes of 4-byte emoji within 255.
    name = cut_utf8(UNSAFE.sub(" ", title or "").strip()[:limit], NAME_BUDGET).strip()
    return name or "Untitled"


class Layout:
    """Decides where every captured object lives in the export tree."""

    def __init__(self, index):
        self.objects = index["objects"]
        self.paths = {}
        # a data source's id leads to its database, whose CSV file is what a link to it opens
        self.sources = {source: object_id for object_id, entry in self.objects.items()
                        for source in entry.get("data_sources", [])}

    def folder(self, object_id):
        """Return the folder (relative posix path) that holds an object's file."""
        entry = self.objects[object_id]
        parent = entry["parent"]["id"]
        if entry.get("root") or parent not in self.objects:
            return PurePosixPath(".")
        return self.folder(parent) / safe_name(self.objects[parent]["title"])

    def path(self, object_id, suffix=None):
        """Return the relative path of an object's .md (page) or .csv (database) file."""
        entry = self.objects[object_id]
        ext = suffix or (".md" if entry["type"] == "page" else ".csv")
        return self.folder(object_id) / f"{safe_name(entry['title'])} {object_id.replace('-', '')}{ext}"

    def target(self, url):
        """Return the captured object a notion.so URL (or a data source's collection:// URL) points at, or None."""
        found = HEX32.findall(url.split("#")[0].replace("-", "").lower())
        if not found:
            return None
        object_id = str(uuid.UUID(found[-1]))
        return self.sources.get(object_id, object_id)

    def title(self, object_id):
        """Return the title of a captured object ('' when it was not captured)."""
        return (self.objects.get(object_id) or {}).get("title", "")

    def link(self, from_id, to_id):
        """Return a relative, URL-encoded link from one object's file to another's (None if absent)."""
        if to_id not in self.objects:
            return None
        start = self.path(from_id).parent
        target = self.path(to_id)
        return quote(os.path.relpath(target.as_posix(), start.as_posix()).replace(os.sep, "/"))


def put(path, data):
    """Write a file of the tree being built (no fsync: a crash discards the whole build directory)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def write_markdown(json_dir, markdown_dir):
    """Rebuild the Markdown/CSV export tree from a capture in `json_dir`; return counts."""
    json_dir, markdown_dir = Path(json_dir), Path(markdown_dir)
    index = read_json(json_dir / CAPTURE_INDEX)
    users = {u["id"]: u.get("name") or "" for u in (read_json(json_dir / CAPTURE_USERS) or {}).get("users", [])}
    layout = Layout(index)
    build = markdown_dir.with_name(markdown_dir.name + ".building")
    remove_tree(build)
    counts = {"md": 0, "csv": 0, "attachments": 0, "from_endpoint": 0, "from_blocks": 0}
    for object_id, entry in sorted(index["objects"].items(), key=lambda kv: str(layout.path(kv[0]))):
        document = read_json(json_dir / entry["path"])
        if document is None:
            continue
        if entry["type"] == "page":
            write_page(build, json_dir, layout, object_id, document, users, counts)
        else:
            write_database(build, layout, object_id, document, json_dir, users, counts)
    build.mkdir(parents=True, exist_ok=True)
    remove_tree(markdown_dir)
    os.replace(build, markdown_dir)
    log.info("markdown: %d pages (%d from Notion's Markdown endpoint, %d from the block converter), %d CSV files, "
             "%d attachments", counts["md"], counts["from_endpoint"], counts["from_blocks"], counts["csv"],
             counts["attachments"])
    return counts


def write_page(build, json_dir, layout, page_id, document, users, counts):
    """Write one page's .md file and copy its attachments into its folder."""
    page = document["page"]
    rel = layout.path(page_id)
    folder = rel.parent / safe_name(layout.objects[page_id]["title"])

    def attach(stored):
        # Attachments sit in the page's folder under their own names, as Notion exports them.
        name = safe_name(stored.get("name") or "file", 120)
        target = build / folder / name
        if target.exists() and target.stat().st_size != stored["size"]:
            name = f"{stored['sha256'][:8]} {name}"
            target = build / folder / name
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(json_dir / stored["path"], target)
            counts["attachments"] += 1
        return quote((PurePosixPath(safe_name(layout.objects[page_id]["title"])) / name).as_posix())

    lines = [f"# {layout.objects[page_id]['title'] or 'Untitled'}", ""]
    if page.get("parent", {}).get("type") in ("data_source_id", "database_id"):
        for name, prop in page["properties"].items():
            if prop["type"] == "title":
                continue
            value = cell_text(prop, users, lambda target: layout.link(page_id, target), layout.title)
            if value:
                lines.append(f"{name}: {value}")
        lines.append("")
    notion = (document.get("markdown") or {}).get("text")
    if notion is not None:  # Notion's own Markdown, with links and files pointed at the export layout
        stored = {unsigned(fobj["file"].get("url")): fobj["backup_file"] for fobj in hosted_files(document)
                  if isinstance(fobj.get("file"), dict)}
        links = Links(lambda url: layout.link(page_id, layout.target(url)),
                      lambda url: attach(stored[unsigned(url)]) if unsigned(url) in stored else None,
                      lambda user_id: users.get(user_id, ""))
        body = convert(notion, links).strip("\n")
        counts["from_endpoint"] += 1
    else:
        renderer = BlockRenderer(lambda target: layout.link(page_id, target), attach, users, layout.title)
        body = renderer.render(document.get("blocks") or [])
        counts["from_blocks"] += 1
    text = "\n".join(lines) + ("\n" + body if body else "")
    put(build / rel, text.rstrip("\n").encode("utf-8") + b"\n")
    counts["md"] += 1


def write_database(build, layout, db_id, document, json_dir, users, counts):
    """Write a database as `X <id>.csv` and `X <id>_all.csv` (UTF-8 with BOM)."""
    columns, rows = [], []
    for source in document["data_sources"]:
        props = source["data_source"].get("properties", {})
        ordered = sorted(props, key=lambda n: (props[n]["type"] != "title", 0))
        for name in ordered:
            if name not in columns:
                columns.append(name)
        for row_id in source["rows"]:
            row_doc = read_json(json_dir / "pages" / f"{row_id}.json")
            if row_doc is not None:
                rows.append((row_id, row_doc["page"]["properties"]))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row_id, props in rows:
        writer.writerow([cell_text(props[c], users, lambda target: layout.link(db_id, target), layout.title, True)
                         if c in props else "" for c in columns])
    data = "\ufeff".encode("utf-8") + out.getvalue().encode("utf-8")
    base = layout.path(db_id)
    put(build / base, data)
    put(build / base.with_name(base.stem + "_all.csv"), data)
    counts["csv"] += 2
