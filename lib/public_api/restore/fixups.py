"""The restore's last phase: blocks whose mentions or links named pages restored after them are rewritten."""
from lib.public_api.restore.block_tree import walk

# Only the fields that carry mentions and links are patched; the rest of the block already stands.
LINK_FIELDS = ("rich_text", "cells", "type", "page_id", "database_id")


class LinkFixups:
    """Points mentions and links that named not-yet-restored pages at their new ids."""

    def __init__(self, api, journal, snapshot, converter, report):
        self.api, self.journal, self.snapshot, self.converter, self.report = api, journal, snapshot, converter, report

    def run(self):
        """Rewrite every journaled block whose mentions or links named pages restored after it."""
        blocks_of = {}
        for new_id, old_id, owner in list(self.journal.fixups):
            key = f"fixup:{new_id}"
            if new_id is None or key in self.journal.done:
                continue
            if owner not in blocks_of:
                blocks_of[owner] = {b["id"]: b for b in walk(self.snapshot.document(owner)["blocks"])}
            block = blocks_of[owner].get(old_id)
            if block is None:
                continue
            items = self.converter.block(block, self.snapshot.where(owner))
            if self.converter.unresolved or not items:
                self.report.loss("link", self.snapshot.where(owner), "a mention or link names a page that was not restored")
            else:
                write = items[0][0]
                kind = write["type"]
                payload = {k: v for k, v in write[kind].items() if k in LINK_FIELDS}
                self.api.request("PATCH", f"blocks/{new_id}", body={kind: payload})
            self.journal.mapped({}, key)
