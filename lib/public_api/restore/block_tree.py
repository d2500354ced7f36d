"""Helpers over captured block trees, shared by every phase of a restore."""

# Child pages and databases come back as pages and databases, never as appended blocks.
STRUCTURAL = {"child_page", "child_database"}


def walk(blocks):
    """Yield every block of a captured tree, depth first."""
    for block in blocks:
        yield block
        yield from walk(block.get("children") or [])


def plain_text(rich_text):
    """Return the plain text of rich-text items as read from Notion."""
    return "".join(t.get("plain_text", "") for t in rich_text)
