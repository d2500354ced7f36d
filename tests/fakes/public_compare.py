"""Comparable views of a capture (titles, content, properties, hierarchy) for round-trip tests."""
import json
from pathlib import Path


def load(json_dir, path):
    return json.loads((Path(json_dir) / path).read_text())


def norm_blocks(blocks, index):
    out = []
    for b in blocks:
        kind = b["type"]
        payload = b.get(kind) or {}
        item = {"type": kind}
        if "rich_text" in payload:
            item["text"] = "".join(t["plain_text"] for t in payload["rich_text"])
            if len(payload["rich_text"]) > 100:
                item["runs"] = [t["plain_text"] for t in payload["rich_text"]]
        if kind in ("child_page", "child_database"):
            item["title"] = payload["title"]
        if kind == "link_to_page":
            item["target"] = index["objects"].get(payload.get("page_id"), {}).get("title")
        if kind == "synced_block":
            item["synced"] = bool(payload.get("synced_from"))
        if kind == "image":
            item["image"] = (payload.get("backup_file") or {}).get("sha256") or payload.get("external", {}).get("url")
        if kind == "table_row":
            item["cells"] = ["".join(t["plain_text"] for t in c) for c in payload["cells"]]
        for flag in ("checked", "is_toggleable", "language", "expression"):
            if flag in payload:
                item[flag] = payload[flag]
        if b.get("children"):
            item["children"] = norm_blocks(b["children"], index)
        out.append(item)
    return out


def norm_props(props, index):
    out = {}
    for name, prop in props.items():
        kind = prop["type"]
        value = prop.get(kind)
        if kind in ("title", "rich_text"):
            value = "".join(t["plain_text"] for t in value)
        elif kind == "relation":
            value = sorted(index["objects"][r["id"]]["title"] for r in value)
        elif kind in ("select",):
            value = value and value["name"]
        elif kind == "multi_select":
            value = sorted(o["name"] for o in value)
        elif kind == "people":
            value = sorted(p["id"] for p in value)
        elif kind == "files":
            value = [f.get("name") for f in value]
        elif kind in ("formula", "rollup"):
            continue
        out[name] = value
    return out


def tree(json_dir, object_id):
    """Return a comparable tree (titles, content, properties, children) below one object."""
    index = load(json_dir, "index.json")
    entry = index["objects"][object_id]
    kids = sorted((i for i, e in index["objects"].items() if e["parent"]["id"] == object_id),
                  key=lambda i: index["objects"][i]["title"])
    node = {"title": entry["title"], "type": entry["type"], "children": [tree(json_dir, k) for k in kids]}
    doc = load(json_dir, entry["path"])
    if entry["type"] == "page":
        node["blocks"] = norm_blocks(doc["blocks"], index)
        node["props"] = norm_props(doc["page"]["properties"], index)
        node["comments"] = sorted("".join(t["plain_text"] for t in c["rich_text"]).split("] ")[-1]
                                  for b in [doc] + list(walk(doc["blocks"])) for c in b.get("comments") or [])
    else:
        node["schema"] = sorted((n, p["type"]) for s in doc["data_sources"] for n, p in s["data_source"]["properties"].items())
    return node


def walk(blocks):
    for b in blocks:
        yield b
        yield from walk(b.get("children") or [])


def restored_root(json_dir, target, title):
    index = load(json_dir, "index.json")
    found = [i for i, e in index["objects"].items() if e["parent"]["id"] == target and e["title"] == title]
    assert len(found) == 1, f"expected one restored '{title}', found {len(found)}"
    return found[0]


def expected_after_restore(node):
    """Apply the restore's listed losses to an original tree: unsupported blocks, pages moved out of toggles."""
    moved = []

    def strip(blocks):
        kept = []
        for b in blocks:
            if "runs" in b:
                # Over 100 rich-text runs: the API takes 100 per block, the rest follows in paragraphs.
                runs = b.pop("runs")
                b["text"] = "".join(runs[:100])
                kept.append(b)
                kept.extend({"type": "paragraph", "text": "".join(runs[i:i + 100])} for i in range(100, len(runs), 100))
                continue
            if b["type"] == "unsupported":
                continue
            if b["type"] == "child_page" and b.get("nested"):
                continue
            if "children" in b:
                inner = [c for c in b["children"] if c["type"] == "child_page"]
                moved.extend(inner)
                b["children"] = strip([c for c in b["children"] if c["type"] != "child_page"])
                if not b["children"]:
                    del b["children"]
            kept.append(b)
        return kept
    if node["type"] == "page":
        node["blocks"] = strip(node["blocks"]) + moved
    node["children"] = [expected_after_restore(c) for c in node["children"]]
    return node
