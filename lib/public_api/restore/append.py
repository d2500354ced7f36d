"""Block-tree appends for a restore: batches of 100, two levels per request, journaled, adoptable."""
import hashlib
import json
import logging

from lib.public_api.client import NotionApiError

log = logging.getLogger(__name__)
MAX_CHILDREN, MAX_ELEMENTS, MAX_BYTES = 100, 900, 400_000
STRUCTURAL = {"child_page", "child_database"}


class Item:
    """One block to create: its write shape, the captured block and its captured children."""

    def __init__(self, write, old, kids, unresolved):
        self.write, self.old, self.kids, self.unresolved = write, old, kids, unresolved

    @property
    def old_id(self):
        """The captured block's id (None for continuation paragraphs)."""
        return self.old["id"] if self.old else None


class Appender:
    """Mixin of the Restorer: turns captured block trees into append requests."""

    def prepare(self, blocks, owner, nested):
        """Convert sibling blocks to Items; child pages met below the top are created under the owner."""
        items = []
        for block in blocks:
            if block.get("type") in STRUCTURAL:
                if nested:
                    self.loss("layout", self.where(owner), f"'{block[block['type']].get('title', '')}' was "
                              "inside a block; restored as a sub-page at the end of its page instead")
                    self.moved.append((block, owner))
                else:
                    self.create_child(block, owner)
                continue
            for write, old, kids in self.conv.block(block, self.where(owner)):
                items.append(Item(write, old, kids, self.conv.unresolved))
        return items

    def append_tree(self, container_old, container_new, blocks, owner, top):
        """Append a captured block list under a new container, keeping child pages in place."""
        pending = []
        for block in blocks:
            if top and block.get("type") in STRUCTURAL:
                self.send(container_old, container_new, pending, owner)
                pending = []
                self.create_child(block, owner)
                continue
            pending.extend(self.prepare([block], owner, nested=not top))
        self.send(container_old, container_new, pending, owner)

    def batches(self, items):
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

    def send(self, container_old, container_new, items, owner):
        """Create Items under a container (with one level of their children) and then go deeper."""
        for batch in self.batches(items):
            olds = [i.old_id for i in batch]
            key = "append:" + hashlib.sha1(json.dumps([container_old, olds]).encode()).hexdigest()
            second = [self.prepare(i.kids[:MAX_CHILDREN], owner, nested=True) if i.kids else [] for i in batch]
            if key not in self.journal.done:
                payload = []
                for item, kids in zip(batch, second):
                    write = self.writable(item.write, self.where(owner))
                    if kids:
                        kind = write["type"]
                        write[kind] = dict(write[kind], children=[self.writable(k.write, self.where(owner)) for k in kids])
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
                self.count("blocks", len(payload) + sum(len(k) for k in second))
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
        self.loss("block", self.where(owner), f"{kind} refused by Notion{lost}: {str(err)[:200]}")
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

    def adopt(self):
        """After a crash, claim or remove what the last unconfirmed write created."""
        known = self.journal.known_new_ids()
        for key, intent in list(self.journal.intents.items()):
            if key.startswith("append:"):
                listed = list(self.api.paginate("GET", f"blocks/{intent['container']}/children"))
                extra = [c["id"] for c in listed if c["id"] not in known and c["type"] not in STRUCTURAL]
                if len(extra) == len(intent["old"]):
                    fixups = [[n, o, intent["owner"]] for n, o, u in zip(extra, intent["old"], intent["unresolved"]) if u]
                    self.journal.mapped({o: n for o, n in zip(intent["old"], extra) if o}, key, value=extra,
                                        fixups=fixups)
                    log.info("resume: adopted %d blocks created just before the interruption", len(extra))
                    continue
                for block_id in extra:
                    self.api.request("DELETE", f"blocks/{block_id}")
                log.info("resume: removed %d blocks of an unconfirmed append", len(extra))
            elif key.startswith(("page:", "database:")):
                self.adopt_object(key, intent, known)
            self.journal.intents.pop(key, None)

    def adopt_object(self, key, intent, known):
        """Claim a page, row or database whose creation went through but was not journaled."""
        if intent.get("data_source"):
            listed = self.api.paginate("POST", f"data_sources/{intent['data_source']}/query")
            match = [p["id"] for p in listed if p["id"] not in known
                     and "".join(t.get("plain_text", "") for v in p["properties"].values() if v["type"] == "title"
                                 for t in v["title"]) == intent["title"]]
        else:
            kind = "child_page" if key.startswith("page:") else "child_database"
            listed = self.api.paginate("GET", f"blocks/{intent['parent']}/children")
            match = [c["id"] for c in listed if c["type"] == kind and c["id"] not in known
                     and c[kind].get("title") == intent["title"]]
        if not match:
            return
        ids = {intent["old"]: match[0]}
        if key.startswith("database:"):
            database = self.api.request("GET", f"databases/{match[0]}")
            ids[intent["first_source"]] = database["data_sources"][0]["id"]
        self.journal.mapped(ids, key)
        log.info("resume: adopted %s created just before the interruption", key)
