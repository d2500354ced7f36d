"""Comments during a restore: re-created by the integration, naming the original author and time."""


def restore_comments(r, old, doc):
    """Recreate unresolved comments of a page (and its blocks) as page comments."""
    from lib.public_api.restore.restorer import walk
    threads = {}
    comments = [(c, None) for c in doc.get("comments") or []]
    comments += [(c, b) for b in walk(doc["blocks"]) for c in b.get("comments") or []]
    if comments:
        r.loss("comment", r.where(old), "comments are re-created by the integration, with the "
                  "original author and time in their text; comments on blocks are attached to the page")
    for comment, block in comments:
        key = f"comment:{comment['id']}"
        if key in r.journal.done:
            continue
        who = r.users.get(comment.get("created_by", {}).get("id"), "someone")
        prefix = f"{who}, {comment.get('created_time', '')[:10]}"
        if block is not None:
            quoted = "".join(t.get("plain_text", "") for t in block.get(block["type"], {}).get("rich_text", []))
            prefix += f", on “{quoted[:60]}”"
        rich = [{"type": "text", "text": {"content": f"[{prefix}] "}}] + r.conv.rich(comment.get("rich_text"))
        thread = threads.get(comment.get("discussion_id")) or r.journal.extra.get(f"thread:{comment.get('discussion_id')}")
        body = {"discussion_id": thread, "rich_text": rich} if thread else {
            "parent": {"page_id": r.journal.map[old]}, "rich_text": rich}
        created = r.api.request("POST", "comments", body=body)
        threads[comment.get("discussion_id")] = created["discussion_id"]
        r.journal.mapped({}, key)
        r.journal.write({"op": "set", "key": f"thread:{comment.get('discussion_id')}",
                            "value": created["discussion_id"]})
        r.count("comments")
