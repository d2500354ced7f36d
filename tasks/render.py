"""render: turn the promoted snapshot's Markdown into the static site under backups/site."""
import contextlib
import logging

from lib import git
from lib.core.fsutil import read_json, sha256_file
from lib.site import build_site, history_cache, write_site_manifest
from tasks import reads, stage_action

log = logging.getLogger("render")


def snapshot_digest(layout):
    """Return the sha256 of the current snapshot.json, or None before the first snapshot."""
    return sha256_file(layout.snapshot) if layout.snapshot.exists() else None


def render(cfg, layout):
    """Build (incrementally) the site for the current snapshot; never contacts Notion."""
    snapshot = read_json(layout.snapshot)
    if snapshot is None:
        log.info("no promoted snapshot yet: nothing to render")
        return {"rendered": 0}
    history, reader = None, contextlib.nullcontext()
    if cfg["render.history_days"]:
        # Earlier versions come from the snapshot branch; the promoted snapshot is the newest version.
        repo = git.open_backup_repo(layout)
        history = git.site_history(repo, cfg["publish.branch"], cfg["render.history_days"], history_cache(layout.site),
                                   {"snapshot": snapshot, "official": str(layout.official)})
        reader = git.blob_reader(repo)
    with reader as read_blob:
        manifest = build_site(layout.official, layout.site, snapshot=snapshot,
                              previous_snapshot=read_json(layout.previous_snapshot),
                              workers=cfg["render.workers"], history=history, read_blob=read_blob)
    manifest["snapshot_sha256"] = snapshot_digest(layout)
    manifest["run_id"] = snapshot.get("run_id")
    write_site_manifest(layout.site_manifest, manifest, layout.site)
    return {key: manifest.get(key) for key in ("pages_rendered", "pages_unchanged")}


def is_current(layout):
    """Return an uptodate check: the site was built from the snapshot.json that is there now."""
    def check():
        site = read_json(layout.site_manifest)
        return bool(site) and layout.site.is_dir() and site.get("snapshot_sha256") == snapshot_digest(layout)
    return check


def tasks(cfg, layout):
    """Up to date while site.json records the current snapshot's digest, and the settings that shape the site
    (the history's span, and the branch it is read from) and the renderer's code are those it was built with.
    RENDER_WORKERS changes how fast, not what: it redoes nothing."""
    return {
        "actions": [stage_action(layout, "render", lambda: render(cfg, layout))],
        "targets": [layout.site_manifest],
        "uptodate": [is_current(layout), reads(cfg, "render", ("render.history_days", "publish.branch"), code=("site",))],
        "verbosity": 2,
    }
