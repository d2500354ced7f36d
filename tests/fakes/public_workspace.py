"""Seeded workspace for the public-API stand-in: nested pages, related databases, synced blocks, media."""
import hashlib
from types import SimpleNamespace

from tests.fakes.public_schema import create_database, create_page
from tests.fakes.public_writes import insert_blocks

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def text(content, **annotations):
    """Return a rich-text run as written, with optional annotations and link."""
    link = annotations.pop("link", None)
    run = {"type": "text", "text": {"content": content, "link": {"url": link} if link else None}}
    if annotations:
        run["annotations"] = annotations
    return run


def block(kind, *runs, children=None, **extra):
    """Return a block as written; `runs` are strings or rich-text runs."""
    payload = dict(extra)
    if runs:
        payload["rich_text"] = [text(r) if isinstance(r, str) else r for r in runs]
    if children:
        payload["children"] = children
    return {"type": kind, kind: payload}


def mention(page_id):
    """Return a page mention run."""
    return {"type": "mention", "mention": {"type": "page", "page": {"id": page_id}}}


def root_page(store, title, shared=True):
    """Create a workspace-level page (optionally shared with the integration)."""
    pid = store.new_id()
    page = store.stamp({"object": "page", "id": pid, "parent": {"type": "workspace", "workspace": True},
                        "icon": {"type": "emoji", "emoji": "🏠"}, "cover": None, "is_locked": False,
                        "public_url": None, "properties": {}})
    from tests.fakes.public_store import read_rich_text
    page["properties"] = {"title": {"id": "title", "type": "title", "title": read_rich_text([text(title)])}}
    store.objects[pid] = page
    if shared:
        store.shared.add(pid)
    return pid


def build_workspace(store, extra_pages=0, tasks=30, big_page=False):
    """Fill `store` with the demo workspace and return a dict of the interesting ids."""
    fake = SimpleNamespace(store=store)
    for name, kind in (("Integration", "bot"), ("Ada Lovelace", "person"), ("Grace Hopper", "person")):
        uid = store.new_id()
        user = {"object": "user", "id": uid, "name": name, "avatar_url": None, "type": kind, kind: {}}
        if kind == "person":
            user["person"] = {"email": name.split()[0].lower() + "@example.com"}
        else:
            store.bot_id = uid
        store.users[uid] = user
    people = [u for u in store.users if store.users[u]["type"] == "person"]
    ids = {}
    home = ids["home"] = root_page(store, "Home")

    def page(parent, title, kind="page_id"):
        return create_page(fake, {"parent": {kind: parent}, "properties": {"title": {"title": [text(title)]}}})

    image_key = store.add_file("diagram.png", PNG)
    store.add_file("notes.txt", b"plain attachment\n")
    top = insert_blocks(store, home, {"type": "page_id", "page_id": home}, [
        block("heading_1", "Welcome"),
        block("paragraph", "Plain, ", text("bold", bold=True), " and ", text("a link", link="https://example.com/x")),
        block("synced_block", children=[block("paragraph", "Synced content"), block("to_do", "Shared task", checked=True)],
              synced_from=None),
        block("bulleted_list_item", "Level 1", children=[
            block("bulleted_list_item", "Level 2", children=[block("bulleted_list_item", "Level 3", children=[
                block("bulleted_list_item", "Level 4")])])]),
        block("numbered_list_item", "First"), block("numbered_list_item", "Second"),
        block("toggle", "A toggle", children=[block("paragraph", "Inside the toggle")]),
        block("heading_2", "Toggleable heading", is_toggleable=True, children=[block("paragraph", "Under the heading")]),
        block("quote", "A quote"), block("callout", "Careful", icon={"type": "emoji", "emoji": "⚠️"}),
        block("code", "print('hi')", language="python"), block("divider"),
        {"type": "embed", "embed": {"url": "https://widgets.example.com/chart", "caption": []}},
        block("equation", expression="e^{i\\pi}+1=0"),
        {"type": "image", "image": {"type": "file", "file": {"key": image_key}, "caption": [text("A diagram")]}},
        {"type": "image", "image": {"type": "external", "external": {"url": "https://example.com/pic.jpg"}, "caption": []}},
        block("table", table_width=2, has_column_header=True, has_row_header=False, children=[
            {"type": "table_row", "table_row": {"cells": [[text("Key")], [text("Value")]]}},
            {"type": "table_row", "table_row": {"cells": [[text("a")], [text("1")]]}}]),
    ])
    ids["synced_original"] = top[2]
    ids["toggle"] = top[6]
    notes = ids["notes"] = page(home, "Notes")
    deep = ids["deep"] = page(notes, "Deep")
    deeper = ids["deeper"] = page(deep, "Deeper")
    store.hidden_from_search.add(deeper)
    insert_blocks(store, deeper, {"type": "page_id", "page_id": deeper}, [block("paragraph", "Bottom of the tree")])
    ids["in_toggle"] = create_page(fake, {"parent": {"page_id": home}, "properties": {"title": {"title": [text("Page in toggle")]}}})
    # Notion puts pages created inside a toggle under the toggle block.
    moved = store.objects[ids["in_toggle"]]
    store.children[home].remove(moved["id"])
    moved["parent"] = {"type": "block_id", "block_id": ids["toggle"]}
    store.add_child(ids["toggle"], moved["id"])
    long_text = "Long paragraph. " * 300
    notes_blocks = insert_blocks(store, notes, {"type": "page_id", "page_id": notes}, [
        block("paragraph", "See ", mention(deep), " for details."),
        {"type": "synced_block", "synced_block": {"synced_from": {"block_id": ids["synced_original"]}}},
        {"type": "link_to_page", "link_to_page": {"type": "page_id", "page_id": home}},
        block("paragraph", long_text),
        {"type": "file", "file": {"type": "file", "file": {"key": store.add_file("notes.txt", b"plain attachment\n")},
                                  "caption": [], "name": "notes.txt"}},
    ])
    unsupported = store.new_id()
    store.objects[unsupported] = store.stamp({"object": "block", "id": unsupported, "type": "unsupported",
                                              "unsupported": {}, "parent": {"type": "page_id", "page_id": notes}})
    store.add_child(notes, unsupported)
    ids["notes_blocks"] = notes_blocks

    projects_db = ids["projects_db"] = create_database(fake, {
        "parent": {"page_id": home}, "title": [text("Projects")],
        "initial_data_source": {"properties": {
            "Name": {"title": {}}, "Status": {"select": {"options": [{"name": "Active"}, {"name": "Done"}]}},
            "Tags": {"multi_select": {"options": [{"name": "red"}, {"name": "blue"}]}},
            "Due": {"date": {}}, "Done": {"checkbox": {}}, "Budget": {"number": {"format": "dollar"}},
            "Site": {"url": {}}, "Owner": {"people": {}}, "Attachments": {"files": {}},
            "Score": {"formula": {"expression": "prop(\"Budget\") * 2"}}}}})
    projects_ds = ids["projects_ds"] = store.children[projects_db][0]
    tasks_db = ids["tasks_db"] = create_database(fake, {
        "parent": {"page_id": home}, "title": [text("Tasks")],
        "initial_data_source": {"properties": {"Name": {"title": {}}, "Priority": {"select": {}},
                                               "Project": {"relation": {"data_source_id": projects_ds,
                                                                         "single_property": {}}}}}})
    tasks_ds = ids["tasks_ds"] = store.children[tasks_db][0]
    from tests.fakes.public_schema import update_data_source
    update_data_source(fake, projects_ds, {"properties": {
        "Tasks": {"relation": {"data_source_id": tasks_ds, "single_property": {}}},
        "Task count": {"rollup": {"relation_property_name": "Tasks", "rollup_property_name": "Name",
                                  "function": "count"}},
        # Two-way: Notion adds "Related projects" to Tasks and mirrors every value there.
        "Related tasks": {"relation": {"data_source_id": tasks_ds, "type": "dual_property",
                                       "dual_property": {"synced_property_name": "Related projects"}}}}})
    rows = ids["project_rows"] = []
    for i, (name, status) in enumerate((("Apollo", "Active"), ("Gemini", "Done"), ("Mercury", "Active"))):
        rows.append(create_page(fake, {"parent": {"data_source_id": projects_ds}, "properties": {
            "Name": {"title": [text(name)]}, "Status": {"select": {"name": status}},
            "Tags": {"multi_select": [{"name": "red"}] + ([{"name": "blue"}] if i else [])},
            "Due": {"date": {"start": f"2026-0{i + 1}-15"}}, "Done": {"checkbox": status == "Done"},
            "Budget": {"number": 1000 * (i + 1)}, "Site": {"url": f"https://example.com/{name.lower()}"},
            "Owner": {"people": [{"id": people[i % 2]}]},
            "Attachments": {"files": [{"name": "spec.pdf", "type": "external", "external": {"url": "https://example.com/spec.pdf"}}]}},
            "children": [block("paragraph", f"{name} is a project.")]}))
    task_rows = ids["task_rows"] = []
    for i in range(tasks):
        task_rows.append(create_page(fake, {"parent": {"data_source_id": tasks_ds}, "properties": {
            "Name": {"title": [text(f"Task {i + 1:02d}")]}, "Priority": {"select": {"name": "High" if i % 3 == 0 else "Low"}},
            "Project": {"relation": [{"id": rows[0 if i < 28 else 1]}]}}}))
    from tests.fakes.public_writes import property_value
    schema = store.objects[projects_ds]["properties"]
    store.objects[rows[0]]["properties"]["Tasks"] = property_value(
        store, "Tasks", {"relation": [{"id": t} for t in task_rows[:28]]}, schema["Tasks"], "builder")
    store.objects[rows[1]]["properties"]["Tasks"] = property_value(
        store, "Tasks", {"relation": [{"id": t} for t in task_rows[28:]]}, schema["Tasks"], "builder")
    from tests.fakes.public_schema import update_page
    for row, related in ((rows[1], task_rows[:2]), (rows[2], task_rows[-1:])):
        update_page(fake, row, {"properties": {"Related tasks": {"relation": [{"id": t} for t in related]}}})

    home_blocks = store.children[home]
    for cid, body in ((home, "A page comment"), (home_blocks[1], "A comment on a block")):
        kind = "page_id" if cid == home else "block_id"
        from tests.fakes.public_store import read_rich_text
        store.comments.append({"object": "comment", "id": store.new_id(), "parent": {"type": kind, kind: cid},
                               "discussion_id": store.new_id(), "created_time": store.now(),
                               "last_edited_time": store.now(), "created_by": {"object": "user", "id": people[0]},
                               "rich_text": read_rich_text([text(body)]),
                               "display_name": {"type": "user", "resolved_name": "Ada Lovelace"}})

    private = root_page(store, "Private")
    ids["orphan"] = page(private, "Shared child")
    store.shared.discard(private)
    store.shared.add(ids["orphan"])
    for n in range(extra_pages):
        pid = page(notes, f"Filler {n:04d}")
        insert_blocks(store, pid, {"type": "page_id", "page_id": pid}, [
            block("paragraph", f"Filler page {n} " + hashlib.sha256(str(n).encode()).hexdigest()),
            block("bulleted_list_item", "item", children=[block("paragraph", "nested")])])
    if big_page:
        # Past the API's write limits: 150 siblings, a toggle with 120 children, six levels of nesting.
        big = ids["big"] = page(notes, "Big")
        deep_list = block("bulleted_list_item", "depth 6")
        for depth in range(5, 0, -1):
            deep_list = block("bulleted_list_item", f"depth {depth}", children=[deep_list])
        insert_blocks(store, big, {"type": "page_id", "page_id": big},
                      [block("paragraph", f"Line {n}") for n in range(150)]
                      + [block("toggle", "Many", children=[block("paragraph", f"Item {n}") for n in range(120)]),
                         deep_list, block("paragraph", *[text(f"run {n} ", bold=n % 2 == 0) for n in range(130)])])
    ids["restore_target"] = root_page(store, "Restore here")
    from tests.fakes.public_views import add_view
    schema = store.objects[projects_ds]["properties"]
    status, budget = schema["Status"]["id"], schema["Budget"]["id"]
    ids["board_view"] = add_view(store, projects_db, projects_ds, "Active by status", "board",
                                 {"property": status, "select": {"equals": "Active"}},
                                 [{"property": "Name", "direction": "ascending"}],
                                 {"type": "board", "group_by": {"property_id": status},
                                  "properties": [{"property_id": status, "visible": True},
                                                 {"property_id": budget, "visible": False}]})
    return ids
