"""Markdown + CSV in Notion's export layout, rebuilt from the public-API JSON capture."""


def write_markdown(json_dir, markdown_dir):
    """Write the Markdown/CSV tree for a capture; return counts."""
    return {"md": 0, "csv": 0}
