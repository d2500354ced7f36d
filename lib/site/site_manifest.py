"""backups/manifests/site.json: the build's facts and every file of the site, written as a stream."""
import json

from lib.core.fsutil import write_pieces_atomic
from lib.site.state_db import BuildState

BATCH = 1000    # files encoded at a time


def output_files(site_dir):
    """Yield {path, size, sha256} of every file the last build of `site_dir` produced, in path order."""
    built = BuildState.open(site_dir)
    try:
        for path, facts in built.get("outputs").items():
            yield {"path": path, **facts}
    finally:
        built.close()


def site_facts(site_dir):
    """Return the last build's facts (site.json without its file list, read from the build state: a few KB where
    site.json holds 110,000 files at 50,000 pages), or {} before the first build."""
    built = BuildState.open(site_dir)
    try:
        return built.get("manifest") or {}
    finally:
        built.close()


def _pieces(manifest, files):
    facts = json.dumps({k: v for k, v in manifest.items() if k != "files"}, indent=1, sort_keys=True)
    yield (facts[:-2] + ",\n" if facts != "{}" else "{\n") + ' "files": ['
    batch, first = [], True
    for item in files:
        batch.append(json.dumps(item, sort_keys=True))
        if len(batch) == BATCH:
            yield ("\n  " if first else ",\n  ") + ",\n  ".join(batch)
            batch, first = [], False
    if batch:
        yield ("\n  " if first else ",\n  ") + ",\n  ".join(batch)
    yield "\n ]\n}\n"


def write_site_manifest(path, manifest, site_dir):
    """Write `manifest` with the file list of `site_dir`'s last build to `path`, atomically, a thousand files at a
    time: 110,000 files as one list of dicts cost more than the rest of a 50,000-page render."""
    write_pieces_atomic(path, (piece.encode("ascii") for piece in _pieces(manifest, output_files(site_dir))))
