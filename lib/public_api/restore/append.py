"""Block-tree appends for a restore: batches of 100, two levels per request, journaled."""
import hashlib
import json

from lib.public_api.client import NotionApiError
from lib.public_api.restore.block_tree import STRUCTURAL

MAX_CHILDREN, MAX_ELEMENTS, MAX_BYTES = 100, 900, 400_000


class Item:
    """One block to create: its write shape, the captured block and its captured children."""

    def __init__(self, write, old, kids, unresolved):
        self.write, self.old, self.kids, self.unresolved = write, old, kids, unresolved

    @property
    def old_id(self):
        """The captured block's id (None for continuation paragraphs)."""
        return self.old["id"] if self.old else None


def batches(items):
    """Split Items into requests within Notion's count, element and size limits."""
    batch, elements, size = [], 0, 0
    for item in items:
        kids = len(item.kids[:MAX_CHILDREN]) if item.kids else 0
        weight = len(json.dumps(item.write))
        if batch and (len(batch) >= MAX_CHILDREN or elements + 1 + kids > MAX_ELEMENTS
                      or size + weight > MAX_BYTES):
            yield batch
            batch, elements, size = [], 0, 0
        batch.append(item)
        elements, size = elements + 1 + kids, size + weight
    if batch:
        yield batch


class BlockAppender:
    """Turns a page's captured block tree into append requests, creating its child pages in place."""

    def __init__(self, api, journal, snapshot, converter, uploader, report, pages):
        self.api, self.journal, self.snapshot, self.converter = api, journal, snapshot, converter
        self.uploader, self.report, self.pages = uploader, report, pages
        self.moved = []

    def append_page(self, old, new, blocks):
        """Append a page's blocks under its new page; child pages met inside blocks come last."""
        self.append_tree(old, new, blocks, old, top=True)
        # Pages that sat inside toggles or columns cannot have a block parent: they go last.
        moved, self.moved = self.moved, []
        for block, owner in moved:
            self.pages.create_child(block, owner)

    def prepare(self, blocks, owner, nested):
        """Convert sibling blocks to Items; child pages met below the top are set aside for the end."""
        items = []
        for block in blocks:
            if block.get("type") in STRUCTURAL:
                if nested:
                    self.report.loss("layout", self.snapshot.where(owner), f"'{block[block['type']].get('title', '')}'"
                                     " was inside a block; restored as a sub-page at the end of its page instead")
                    self.moved.append((block, owner))
                else:
                    self.pages.create_child(block, owner)
                continue
            for write, old, kids in self.converter.block(block, self.snapshot.where(owner)):
                items.append(Item(write, old, kids, self.converter.unresolved))
        return items

    def append_tree(self, container_old, container_new, blocks, owner, top):
        """Append a captured block list under a new container, keeping child pages in place."""
        pending = []
        for block in blocks:
            if top and block.get("type") in STRUCTURAL:
                self.send(container_old, container_new, pending, owner)
                pending = []
                self.pages.create_child(block, owner)
                continue
            pending.extend(self.prepare([block], owner, nested=not top))
        self.send(container_old, container_new, pending, owner)

    def send(self, container_old, container_new, items, owner):
        """Create Items under a container (with one level of their children) and then go deeper."""
        where = self.snapshot.where(owner)
        for batch in batches(items):
            olds = [i.old_id for i in batch]
            key = "append:" + hashlib.sha1(json.dumps([container_old, olds]).encode()).hexdigest()
            second = [self.prepare(i.kids[:MAX_CHILDREN], owner, nested=True) if i.kids else [] for i in batch]
            if key not in self.journal.done:
                payload = []
                for item, kids in zip(batch, second):
                    write = self.uploader.writable(item.write, where)
                    if kids:
                        kind = write["type"]
                        write[kind] = dict(write[kind], children=[self.uploader.writable(k.write, where) for k in kids])
                    payload.append(write)
                self.journal.write({"op": "intent", "key": key, "container": container_new, "old": olds,
                                    "owner": owner, "unresolved": [i.unresolved for i in batch]})
                try:
                    reply = self.api.request("PATCH", f"blocks/{container_new}/children", body={"children": payload})
                except NotionApiError as err:
                    if err.status not in (400, 404):  # 404: a link or mention names a page Notion hides
                        raise
                    self.refused(container_old, container_new, batch, owner, err)
                    continue
                new_ids = [r["id"] for r in reply["results"]]
                fixups = [[new, old, owner] for new, i, old in zip(new_ids, batch, olds) if i.unresolved]
                self.journal.mapped({o: n for o, n in zip(olds, new_ids) if o}, key, value=new_ids, fixups=fixups)
                self.report.count("blocks", len(payload) + sum(len(k) for k in second))
            new_ids = self.journal.extra[key]
            for item, kids, new_id in zip(batch, second, new_ids):
                self.descend(item, kids, new_id, owner)

    def refused(self, container_old, container_new, batch, owner, err):
        """Isolate a block Notion refuses: retry one by one, then put a note in its place."""
        if len(batch) > 1:
            for item in batch:
                self.send(container_old, container_new, [item], owner)
            return
        item = batch[0]
        kind = item.write["type"]
        lost = f" with its {len(item.kids)} child blocks" if item.kids else ""
        self.report.loss("block", self.snapshot.where(owner), f"{kind} refused by Notion{lost}: {str(err)[:200]}")
        note = {"type": "paragraph", "paragraph": {"rich_text": [{"type": "text", "text": {
            "content": f"[{kind} not restored: Notion refused it; see the restore report]"}}]}}
        self.send(container_old, container_new, [Item(note, item.old, [], False)], owner)

    def descend(self, item, kids, new_id, owner):
        """Map the second level of a created block and append whatever lies below it."""
        if not item.kids:
            return
        needs_ids = any(k.kids or k.unresolved or (k.old or {}).get("type") == "synced_block" for k in kids)
        if needs_ids:
            key = f"children:{item.old_id}"
            if key not in self.journal.done:
                listed = [c["id"] for c in self.api.paginate("GET", f"blocks/{new_id}/children")]
                fixups = [[n, k.old_id, owner] for n, k in zip(listed, kids) if k.unresolved]
                self.journal.mapped({k.old_id: n for n, k in zip(listed, kids) if k.old_id}, key,
                                    value=listed, fixups=fixups)
            for kid, kid_new in zip(kids, self.journal.extra[key]):
                if kid.kids:
                    self.append_tree(kid.old_id, kid_new, kid.kids, owner, top=False)
        rest = item.kids[MAX_CHILDREN:]
        if rest:
            self.append_tree(item.old_id, new_id, rest, owner, top=False)
