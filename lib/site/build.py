"""Build the offline HTML site from the promoted export: incremental, on every core."""
import hashlib
import itertools
import logging
import os
import shutil
import time
from pathlib import Path

import mistune
import nh3

from lib.site import nav, state, state_json
from lib.core.errors import BackupError
from lib.core.filenames import temp_name
from lib.core.log import Progress
from lib.site.dbpages import render_databases
from lib.site.history_build import build_history
from lib.site.links import SiteIndex
from lib.site.site_paths import SITE_DIR, digest as _h, scan_tree
from lib.site.state_db import SHARDS, BuildState
from lib.site.pool import chunked_map
from lib.site.render import read_title
from lib.site.worker import init_worker, render_chunk, write_atomic

log = logging.getLogger(__name__)
LEGACY_STATE = (".build-state.json", ".build-tokens.json")   # the state's files before lib.site.state_db
DIRTY = ".build-dirty.json"
HISTORY = ".build-history.json"
POOL_MIN_PAGES = 200
ASSETS = Path(__file__).with_name("assets")


def code_version():
    """Return a digest of the renderer's code, assets and libraries: a change re-renders every page."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")) + sorted(ASSETS.glob("*")):
        digest.update(path.name.encode() + path.read_bytes())
    for library in (mistune, nh3):      # their output is part of every page: an upgrade re-renders too
        digest.update(f"{library.__name__}=={library.__version__}".encode())
    return digest.hexdigest()[:16]


def _copy_asset(src, dst):
    """Place an attachment in the site: a hard link when possible, else a copy; atomically."""
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    tmp = os.path.join(os.path.dirname(dst), temp_name(os.path.basename(dst), ".tmp-", ".part"))
    if os.path.lexists(tmp):
        os.unlink(tmp)
    try:
        os.link(src, tmp)
    except OSError:
        shutil.copyfile(src, tmp)
    os.replace(tmp, dst)
    if os.path.lexists(tmp):
        # rename() between two links of one file does nothing and leaves the temporary name.
        os.unlink(tmp)


def build_site(official_dir, site_dir, snapshot=None, previous_snapshot=None, workers=2, history=None, read_blob=None):
    """Render `official_dir` into `site_dir`; return the site manifest (see lib.site.state) without its file list,
    which `output_files(site_dir)` reads from the build's state.

    `history` (lib.git's site_history) adds each page's history; `read_blob(id)` returns an earlier version's bytes.
    """
    started = time.monotonic()
    workers = workers if workers and workers > 0 else (os.cpu_count() or 1)
    official, site = os.fspath(official_dir), os.fspath(site_dir)
    if not os.path.isdir(official):
        raise BackupError(f"no export to render: {official} is not a folder",
                          hint="run `doit` to take a snapshot, or `doit pull` to fetch the published one")
    files = scan_tree(official)
    # Only a folder that already holds a site of ours is swept of unknown files on a full build.
    ours = os.path.isdir(os.path.join(site, SITE_DIR)) or os.path.exists(os.path.join(site, SHARDS))
    hashes = state.file_keys(official, files, snapshot)
    if os.path.isdir(site):
        # A kill can land before the dirty marker (or anything else of ours) is written: always sweep
        # the hidden temporary files only our writers create.
        state.remove_partials(site)
    # The last build's state, then this one's: closed however the build ends.
    opened = [BuildState.open(site, check=True)]
    try:
        return _build(official, site, files, ours, hashes, opened, snapshot, previous_snapshot, workers, history,
                      read_blob, started)
    finally:
        for built in opened:
            built.close()


def _build(official, site, files, ours, hashes, opened, snapshot, previous_snapshot, workers, history, read_blob,
           started):
    """build_site's work, with the last build's state open (`opened`, where this build's state goes too)."""
    old = previous = opened[0]
    # The last build stopped half-way: never call it a no-op, and forget none of the files it wrote.
    marker = os.path.exists(os.path.join(site, DIRTY))
    dirty = (_read_state(os.path.join(site, DIRTY)) or {}).get("outputs", {}) if marker else {}
    version = code_version() + ("+history" if history is not None else "")
    digest = state.input_digest(version, hashes, snapshot, previous_snapshot)
    if history is not None:
        digest = _h(digest, {k: v for k, v in history.items() if k != "cache"})
    if not marker and old.get("input_digest") == digest and all(
            os.path.exists(os.path.join(site, p)) for p in old["outputs"]):
        manifest = dict(old["manifest"], pages_rendered=0, pages_skipped=old["manifest"]["pages"],
                        pages_unchanged=old["manifest"]["pages"], databases_rendered=0, removed_outputs=0,
                        seconds=round(time.monotonic() - started, 3))
        log.info("site: unchanged snapshot, nothing to render (%.2f s)", manifest["seconds"])
        return manifest
    if old.get("version") != version:
        old = {"outputs": old.get("outputs", {})}    # a new renderer: every page again, stale files still known
    index = SiteIndex(files, (snapshot or {}).get("renames"))
    plan = state.plan(index, hashes, old, official, site, read_title)
    known = old.get("outputs", {})
    state_json.write_json(os.path.join(site, DIRTY), {"outputs": dict.fromkeys(
        [*dirty, *(o for o in plan["outputs"] if o not in known and o not in dirty)], {})})
    # Shards split every key the state will hold, so a workspace of few pages and many attachments stays small too.
    new = BuildState.create(site, sorted({*plan["pages"], *plan["outputs"], *plan["assets"]}), after=previous)
    opened.append(new)
    ctx = {"index": index, "titles": plan["titles"], "official": official, "site": site, "history": history is not None}
    log.info("site: %d pages, %d databases, %d attachments; rendering %d pages", len(plan["pages"]),
             len(index.dbs), len(plan["assets"]), len(plan["render"]))
    rendered = _render_pages(plan, ctx, workers, hashes, new)
    _keep_pages(plan, rendered, old, hashes, new)
    plan["db_keys"] = state.db_keys(index, hashes, plan["titles"], plan["paths_digest"])
    outputs, broken, missing, ctx["props"] = new.get("outputs"), [], [], {}
    for src, info in new.get("pages").items():
        outputs[index.out[src]] = {"size": info["size"], "sha256": info["sha256"]}
        broken += [{"page": src, "href": h} for h in info["broken"]]
        missing += [{"page": src, "href": h} for h in info["missing"]]
        if info.get("props"):
            ctx["props"][src] = info["props"]
    dbs = render_databases(index, plan, old, ctx, outputs)
    new.get("dbs").update(dbs)
    new.get("tokens").update((main, db.get("tokens", "")) for main, db in dbs.items())
    _place_assets(plan["assets"], index.copies, hashes, old, official, site, outputs)
    new.get("assets").update((rel, hashes[rel]) for rel in plan["assets"])
    broken += [{"page": s, "href": h} for s in sorted(dbs) for h in dbs[s]["broken"]]
    missing += [{"page": s, "href": h} for s in sorted(dbs) for h in dbs[s].get("missing", ())]
    titles = plan["titles"]
    nodes = nav.nav_nodes(index, titles)
    hist = None if history is None else build_history(
        index, titles, history, read_blob, site, official, old.get("history", {}),
        plan["paths_digest"] != old.get("paths_digest"), known, workers)
    outputs.update(hist["outputs"] if hist else {})
    # Written one by one as they are made: the search index alone is tens of MB.
    for rel, data in state.site_files(index, nodes, len(plan["pages"]), new.get("tokens"), titles, broken, missing,
                                      snapshot, previous_snapshot, plan, ASSETS, state.workspace_name(official, files),
                                      hist):
        sha = hashlib.sha256(data).hexdigest()
        path = os.path.join(site, rel)
        if known.get(rel, {}).get("sha256") != sha or not os.path.exists(path):
            write_atomic(path, data)
        outputs[rel] = {"size": len(data), "sha256": sha}
    removed = state.remove_stale(site, itertools.chain(known, dirty), outputs, full=ours and not old.get("pages"))
    os.sync()
    manifest = {
        "pages": len(plan["pages"]), "databases": len(dbs), "attachments": len(plan["assets"]),
        "pages_rendered": rendered, "pages_skipped": len(plan["pages"]) - rendered,
        "pages_unchanged": len(plan["pages"]) - rendered,
        "databases_rendered": plan["dbs_rendered"], "broken_links": broken,
        "missing_attachments": missing, "removed_outputs": removed,
        "seconds": round(time.monotonic() - started, 3),
    }
    if hist:
        manifest["history"] = hist["facts"]
    for name, value in (("version", version), ("input_digest", digest), ("paths_digest", plan["paths_digest"]),
                        ("history", hist["state"] if hist else {}), ("manifest", manifest)):
        new.set(name, value)
    new.save(site)
    for legacy in LEGACY_STATE:     # the JSON state of earlier versions: replaced by the file above
        if os.path.exists(os.path.join(site, legacy)):
            os.unlink(os.path.join(site, legacy))
    if history is not None:
        state_json.write_json(os.path.join(site, HISTORY), history["cache"])
    os.unlink(os.path.join(site, DIRTY))
    log.info("site: rendered %d pages, skipped %d, %d broken links, %d missing attachments in %.1f s",
             rendered, len(plan["pages"]) - rendered, len(broken), len(missing), manifest["seconds"])
    return manifest


def _render_pages(plan, ctx, workers, hashes, new):
    """Render the pages `plan` names, in a process pool when it pays, each page's state and search words going
    to the new build state as its chunk arrives; return how many were rendered."""
    progress = Progress(log, "site: rendering", len(plan["render"]), unit="pages", scale=1)
    pages, tokens = new.get("pages"), new.get("tokens")

    def take(part):
        for src, info in part.items():
            tokens[src] = info.pop("tokens")
            info.update(sha=hashes[src], nav=plan["nav"][src])
            plan["titles"][src] = info["title"]
            pages[src] = info
    return chunked_map(plan["render"], render_chunk, init_worker, ctx, workers, POOL_MIN_PAGES, progress.update, take)


def _keep_pages(plan, rendered, old, hashes, new):
    """Carry the state and search words of every page not rendered again over from the last build."""
    if rendered == len(plan["pages"]):
        return
    pages, tokens = new.get("pages"), new.get("tokens")
    kept = set(plan["pages"]).difference(plan["render"])
    # One pass over each old table in key order: a query per page costs seconds at 50,000 pages.
    for src, info in old.get("pages", {}).items():
        if src in kept:
            info["sig"] = plan["sig"].get(src, info.get("sig"))
            info.update(sha=hashes[src], nav=plan["nav"][src])
            plan["titles"][src] = info["title"]
            pages[src] = info
    words = kept.copy()
    for src, packed in old.get("tokens", {}).items():
        if src in words:
            tokens[src] = packed
            words.discard(src)
    tokens.update(dict.fromkeys(words, ""))


def _place_assets(assets, copies, hashes, old, official, site, outputs):
    """Link or copy every attachment and CSV whose content changed or whose copy is gone."""
    copied = 0
    for rel in assets:
        dst = os.path.join(site, copies[rel])
        if old.get("assets", {}).get(rel) != hashes[rel] or not os.path.exists(dst):
            _copy_asset(os.path.join(official, rel), dst)
            copied += 1
        outputs[copies[rel]] = {"size": os.path.getsize(dst), "sha256": state.sha_of(hashes[rel])}
    if copied:
        log.info("site: placed %d attachments and CSV files", copied)


def _read_state(path):
    """Return a JSON state file, or {} when it is absent or unreadable (the build then starts over)."""
    try:
        return state_json.read_json(path) or {}
    except FileNotFoundError:
        return {}
    except (ValueError, OSError) as exc:
        log.warning("site: ignoring unreadable %s (%s); rendering every page", os.path.basename(path), exc)
        return {}


def history_cache(site_dir):
    """Return what the last render recorded of the branch's history (for lib.git to reuse), or {}.

    A file of its own, read before the build: the build state is ten times its size."""
    return _read_state(os.path.join(site_dir, HISTORY))
