"""Scenario steps and checks for one page's history: a person's edits in the public-API stand-in, a recovered
folder compared with the snapshot's files by the real git binary, and what a restore created in the stand-in."""
import hashlib
import re

import requests

from tests.harness import git

VERSION = "2025-09-03"


def public_id(public, title):
    """Return the id of the one live page or database of the stand-in with this title."""
    store = public.store
    found = [oid for oid, obj in store.objects.items() if obj["object"] in ("page", "database")
             and not obj.get("in_trash") and store.title_of(oid) == title]
    assert len(found) == 1, f"{len(found)} pages titled {title!r} in the public-API stand-in"
    return found[0]


def expand(arg, public):
    """Replace `{public:Title}` in a doit argument with that page's id in the stand-in."""
    return re.sub(r"\{public:([^}]+)\}", lambda m: public_id(public, m.group(1)), arg) if public else arg


def _call(public, method, path, body):
    reply = requests.request(method, f"{public.base_url}/v1/{path}", json=body, timeout=10, headers={
        "Authorization": f"Bearer {public.token}", "Notion-Version": VERSION})
    assert reply.status_code == 200, reply.text


def public_edit(public, step):
    """A person's edit in Notion: a paragraph added at the end of a page."""
    page = public_id(public, step["title"])
    _call(public, "PATCH", f"blocks/{page}/children", {"children": [
        {"type": "paragraph", "paragraph": {"rich_text": [{"type": "text", "text": {"content": step["append"]}}]}}]})


def public_trash(public, title):
    """A person deletes a page in Notion (it goes to the trash with everything below it)."""
    _call(public, "PATCH", f"pages/{public_id(public, title)}", {"in_trash": True})


def _tree(remote, rev):
    """Return {path: blob id} of official/ at `rev`, as git itself lists it."""
    out = git("ls-tree", "-r", "-z", "--full-tree", rev, "official/", cwd=remote)
    files = {}
    for item in out.split("\x00"):
        if item:
            meta, path = item.split("\t", 1)
            files[path[len("official/"):]] = meta.split()[2]
    return files


def expected_files(remote, rev, page_id):
    """Return {path relative to the page's folder: blob id}: its file and the folder named after it, per git."""
    files = _tree(remote, rev)
    main = [p for p in files if re.search(rf" {page_id}(_all)?\.(md|csv)$", p)]
    assert main, f"{page_id} is not in {rev}"
    folder, _, name = main[0].rpartition("/")
    stem = re.sub(r"(_all)?\.(md|csv)$", "", name)
    owned = [f"{stem}/", f"{stem[:-33]}/"]
    base = len(folder) + 1 if folder else 0
    wanted = {p for p in files if p in main or any(p[base:].startswith(o) for o in owned)}
    return {p[base:]: files[p] for p in wanted if p.startswith(folder)}


def check_recovered(project, remote, spec, label, public=None):
    """Assert the recovered folder holds exactly the snapshot's files of that page, byte for byte."""
    rev = git("rev-parse", spec["rev"], cwd=remote).strip()
    wanted = expected_files(remote, rev, expand(spec["page_id"], public).replace("-", ""))
    root = project / spec["dir"]
    got = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            got[path.relative_to(root).as_posix()] = hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()
    assert got == wanted, f"{label}: recovered {sorted(got)} but {rev[:12]} holds {sorted(wanted)}"
    for prefix in spec.get("holds", []):
        assert any(p.startswith(prefix) or p.endswith(prefix) for p in got), f"{label}: nothing like {prefix!r}"


def restored_titles(public, root):
    """Return the titles of every page and database the stand-in holds below `root`, at any depth."""
    store, titles, todo = public.store, [], [root]
    while todo:
        container = todo.pop()
        for child in store.live_children(container):
            obj = store.objects[child]
            if obj["object"] in ("page", "database"):
                titles.append(store.title_of(child))
            todo.append(child)
    return sorted(titles)


def check_public_tree(public, spec, label):
    """Assert what lies below the restore root is exactly the titles listed (nothing else was created)."""
    root = public.empty_page_id if spec["root"] == "{empty_page}" else public_id(public, spec["root"])
    titles = restored_titles(public, root)
    assert titles == sorted(spec["titles"]), f"{label}: below the restore root: {titles}"
    if "links_to" in spec:
        targets = set(_links(public, root))
        for title in spec["links_to"]:
            assert public_id(public, title) in targets, f"{label}: nothing restored links to the live {title!r}"
    if "pages_created" in spec:
        created = sum(1 for r in public.requests if r["method"] == "POST" and r["path"] in ("/v1/pages", "/v1/databases")
                      and r["status"] == 200)
        assert created == spec["pages_created"], f"{label}: {created} pages and databases created in the stand-in"


def _links(public, root):
    """Yield the page ids that blocks below `root` link to (link_to_page blocks and page mentions)."""
    store, todo = public.store, [root]
    while todo:
        container = todo.pop()
        for child in store.live_children(container):
            obj = store.objects[child]
            todo.append(child)
            if obj.get("type") == "link_to_page":
                yield obj["link_to_page"].get("page_id")
            for run in (obj.get(obj.get("type") or "") or {}).get("rich_text", []) if obj["object"] == "block" else []:
                if run.get("type") == "mention" and run["mention"].get("type") == "page":
                    yield run["mention"]["page"]["id"]
