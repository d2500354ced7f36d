"""Comments during a restore: re-created by the integration, naming the original author and time."""
from lib.public_api.restore.block_tree import plain_text, walk


class CommentRestorer:
    """Recreates the comments of a page and of its blocks as comments on the new page."""

    def __init__(self, api, journal, snapshot, converter, report):
        self.api, self.journal, self.snapshot, self.converter, self.report = api, journal, snapshot, converter, report

    def restore(self, old, doc):
        """Recreate unresolved comments of a page (and its blocks) as page comments."""
        threads = {}
        comments = [(c, None) for c in doc.get("comments") or []]
        comments += [(c, b) for b in walk(doc["blocks"]) for c in b.get("comments") or []]
        if comments:
            self.report.loss("comment", self.snapshot.where(old), "comments are re-created by the integration, with "
                             "the original author and time in their text; comments on blocks are attached to the page")
        for comment, block in comments:
            key = f"comment:{comment['id']}"
            if key in self.journal.done:
                continue
            rich = [{"type": "text", "text": {"content": f"[{self._byline(comment, block)}] "}}]
            rich += self.converter.rich(comment.get("rich_text"))
            discussion = comment.get("discussion_id")
            thread = threads.get(discussion) or self.journal.extra.get(f"thread:{discussion}")
            body = {"discussion_id": thread, "rich_text": rich} if thread else {
                "parent": {"page_id": self.journal.map[old]}, "rich_text": rich}
            created = self.api.request("POST", "comments", body=body)
            threads[discussion] = created["discussion_id"]
            self.journal.mapped({}, key)
            self.journal.write({"op": "set", "key": f"thread:{discussion}", "value": created["discussion_id"]})
            self.report.count("comments")

    def _byline(self, comment, block):
        who = self.snapshot.users.get(comment.get("created_by", {}).get("id"), "someone")
        byline = f"{who}, {comment.get('created_time', '')[:10]}"
        if block is not None:
            quoted = plain_text(block.get(block["type"], {}).get("rich_text", []))
            byline += f", on “{quoted[:60]}”"
        return byline
