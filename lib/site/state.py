"""What a site build must redo: input keys, per-page plans, generated files and stale outputs."""
import hashlib
import html
import itertools
import os
import re
import posixpath

from lib.snapshot.counting import snapshot_changes
from lib.site import nav, reports
from lib.core.notion_names import title_of
from lib.site.nav_parts import nav_files
from lib.site.search import search_files
from lib.site.site_paths import SITE_DIR, digest


_h = digest
def snapshot_prefix(snapshot, files):
    """Return the prefix to strip from snapshot paths so they match paths under official/."""
    paths = [f["path"] for f in (snapshot or {}).get("files", [])[:50]]
    present = set(files)
    if not paths or any(p in present for p in paths):
        return ""
    first = paths[0].split("/", 1)[0] + "/"
    return first if all(p.startswith(first) and p[len(first):] in present for p in paths) else ""


def file_keys(official, files, snapshot):
    """Return {rel: content key}: the snapshot's sha256 when listed, else size and mtime."""
    keys = {}
    if snapshot:
        strip = snapshot_prefix(snapshot, files)
        for f in snapshot.get("files", []):
            path = f["path"][len(strip):] if strip and f["path"].startswith(strip) else f["path"]
            if f.get("sha256"):
                keys[path] = f["sha256"]
    for rel in files:
        if rel not in keys:
            st = os.stat(os.path.join(official, rel))
            keys[rel] = "stat:%d:%d" % (st.st_size, st.st_mtime_ns)
    return {rel: keys[rel] for rel in files}


def sha_of(key):
    """Return the sha256 part of a content key, or None for stat keys."""
    return None if key.startswith("stat:") else key


def input_digest(version, hashes, snapshot, previous):
    """Return the digest of everything a build reads; equal digests mean a no-op build."""
    prev = snapshot_changes(snapshot, previous) if previous else None
    snapshot = snapshot or {}
    return _h(version, sorted(hashes.items()), snapshot.get("time"), snapshot.get("run_id"),
              snapshot.get("renames"), prev)


def plan(index, hashes, old, official, site, read_title):
    """Decide which pages to render; return titles, nav keys, link signatures and the render list."""
    old_pages = old.get("pages", {})
    pages = sorted(r for r, k in index.kind.items() if k == "page")
    current = set(pages)
    # One pass over the last build's pages in key order (a query per page costs seconds at 50,000 pages),
    # keeping only what the decisions below compare; a page's links are read again only when the files moved.
    before = {src: (info.get("sha"), info.get("nav"), info.get("sig"), info.get("title"))
              for src, info in old_pages.items() if src in current}
    titles = {}
    # Breadcrumbs need the titles of pages with children now; the others come back from rendering.
    parents = set(index.parent.values())
    for src in pages:
        prev = before.get(src)
        if prev and prev[0] == hashes[src] and prev[3] is not None:
            titles[src] = prev[3]
        elif src in parents:
            titles[src] = read_title(os.path.join(official, src), src)
    for entry in index.dbs.values():
        titles[entry["main"]] = title_of(entry["main"])
    paths_digest = _h(sorted(hashes))
    nav_keys, sig, render = {}, {}, []
    relink = paths_digest != old.get("paths_digest")
    for src in pages:
        # A plain join hashes 10,000 trails several times faster than JSON would.
        trail = "\0".join(nav.node_title(a, titles) + "\1" + a for a in index.ancestors(src))
        trail += "\0" + str(index.kind.get(index.parent.get(src)))
        nav_keys[src] = hashlib.sha1(trail.encode("utf-8")).hexdigest()[:20]
        prev = before.get(src)
        if not prev or prev[0] != hashes[src] or prev[1] != nav_keys[src]:
            render.append(src)
            continue
        if relink:
            sig[src] = link_sig(index, old_pages[src].get("links", []), src)
            if sig[src] != prev[2]:
                render.append(src)
                continue
        if not os.path.exists(os.path.join(site, index.out[src])):
            render.append(src)
    assets = sorted(r for r, k in index.kind.items() if k in ("asset", "db"))
    outputs = [index.out[p] for p in pages] + [e["out"] for e in index.dbs.values()] + [index.copies[a] for a in assets]
    return {"pages": pages, "titles": titles, "nav": nav_keys, "sig": sig, "render": render, "assets": assets,
            "paths_digest": paths_digest, "outputs": outputs}


def db_keys(index, hashes, titles, paths_digest):
    """Return {database: key}; a database re-renders when its CSVs, rows or place change."""
    keys = {}
    for entry in index.dbs.values():
        main = entry["main"]
        rows = sorted((titles[n], hashes[n], n) for n in index.children.get(main, ()) if n in titles)
        keys[main] = _h([hashes.get(entry["csv"]), hashes.get(entry["all"])], rows, paths_digest,
                        nav.breadcrumbs(index, main, titles, entry["out"]))
    return keys


def link_sig(index, links, src):
    """Return a digest of where each of a page's links points with the current file set."""
    return _h([index.link_key(u, src) for u in links])


def _search_entries(index, tokens, titles):
    """Yield each page's search entry (title, site path, trail, tokens), one at a time, in path order (`tokens`
    is the build state's table): held all at once, the token lists of a large workspace cost more than
    everything else the site keeps."""
    trails = {}
    for src, packed in tokens.items():
        # Siblings share their trail: build it once per parent.
        parent = index.parent.get(src)
        trail = trails.get(parent)
        if trail is None:
            trail = trails[parent] = " / ".join(nav.node_title(a, titles) for a in index.ancestors(src))
        yield titles[src], index.out[src], trail, packed


def site_files(index, nodes, page_count, tokens, titles, broken, missing, snapshot, previous, plan, assets,
               workspace=None, history=None):
    """Yield (output rel, bytes) of the shared files one at a time: assets, nav, search, index and reports;
    `history` (the history build's result) adds its deleted pages to the search and its facts to the index page."""
    for path in sorted(assets.glob("*")):
        yield SITE_DIR + "/" + path.name, path.read_bytes()
    for rel, text in nav_files(nodes).items():
        yield rel, text.encode("utf-8")
    entries = itertools.chain(_search_entries(index, tokens, titles), history["search"] if history else ())
    for rel, text in search_files(entries):
        yield rel, text.encode("utf-8")
    counts = {"pages": page_count, "databases": len(index.dbs), "attachments": len(plan["assets"])}
    article = nav.index_article(nodes, counts, snapshot, len(broken) + len(missing), history and history["facts"])
    heading = "Notion backup" + (": " + workspace if workspace else "")
    yield "index.html", nav.page_shell(heading, article, "index.html", [], "index").encode()
    out = SITE_DIR + "/broken-links.html"
    article = reports.broken_article(index, broken, missing, out, titles)
    yield out, nav.page_shell("Broken links", article, out, [], "report").encode("utf-8")
    out = SITE_DIR + "/changes.html"
    changes = snapshot_changes(snapshot, previous)
    strip = snapshot_prefix(snapshot, index.files) if snapshot else ""
    last = {item["key"]: item["last"] for item in history["deleted"]} if history else None
    article = reports.changes_article(index, changes, titles, snapshot, previous, out, strip,
                                      history and history.get("diffs"), last)
    yield out, nav.page_shell("Changes", article, out, [], "report").encode("utf-8")


def remove_stale(site, old_outputs, outputs, full):
    """Delete outputs no longer produced (every unknown file on a full build); return the count."""
    removed = 0
    doomed = [rel for rel in old_outputs if rel not in outputs]
    if full:
        for dirpath, dirnames, filenames in os.walk(site):
            rel_dir = os.path.relpath(dirpath, site).replace(os.sep, "/")
            for name in filenames:
                rel = name if rel_dir == "." else rel_dir + "/" + name
                if rel not in outputs and not name.startswith(".build-"):
                    doomed.append(rel)
    for rel in doomed:
        path = os.path.join(site, rel)
        if os.path.lexists(path):
            os.unlink(path)
            removed += 1
        parent = posixpath.dirname(rel)
        while parent:
            try:
                os.rmdir(os.path.join(site, parent))
            except OSError:
                break
            parent = posixpath.dirname(parent)
    return removed


def remove_partials(site):
    """Delete the temporary '.part' files an interrupted build left behind; return the count."""
    removed = 0
    for dirpath, _, filenames in os.walk(site):
        for name in filenames:
            if name.startswith(".") and (name.endswith(".part") or name.endswith(".tmp")):  # ours and fsutil's
                os.unlink(os.path.join(dirpath, name))
                removed += 1
    return removed


WORKSPACE_RE = re.compile(r"Workspace name:\s*([^<\n]{1,200})")


def workspace_name(official, files):
    """Return the workspace name Notion writes into the export's own index.html, or None."""
    for rel in files:
        if rel == "index.html" or (rel.startswith("Export-") and rel.count("/") == 1
                                   and rel.endswith("/index.html")):
            with open(os.path.join(official, rel), "rb") as handle:
                match = WORKSPACE_RE.search(handle.read(1 << 16).decode("utf-8", errors="replace"))
            if match:
                return html.unescape(match.group(1)).strip() or None
    return None
