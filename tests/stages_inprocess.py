"""The backup's stages run in this process on a given export ZIP, and a fresh runner's pull after them.

Each stage is called through the very action doit runs (tasks.<stage>.tasks(...)["actions"][0]), so a
BackupError comes back as doit's TaskFailed (exit 1) and anything else propagates (exit 2): a test can
tell a refusal from a crash exactly as a scheduled run would.
"""
import json
import os
import shutil
import subprocess
from pathlib import Path

from doit.exceptions import TaskFailed
from dulwich.index import validate_path_element_hfs, validate_path_element_ntfs

from lib.run import summary
from lib.core.layout import Layout
from tasks import count, gate, promote, publish, pull, render, shard_expand, unpack
from tests.harness import GIT_ENV, config_for

# From the ZIP to the branch; the gate is opened wide: these runs are about names, not about counts.
STAGES = (unpack, shard_expand, count, gate, promote, render, publish)
OPEN_GATE = {"QUALITY_MIN_MD_COUNT": "0", "QUALITY_MIN_CSV_COUNT": "0", "QUALITY_MAX_DROP_PERCENT": "100"}
BRANCH = "notion-backups"
GIT = {**os.environ, **GIT_ENV}


class Refused(Exception):
    """A stage failed the way doit reports as exit 1 (the stage's TaskFailed)."""

    def __init__(self, stage, failure):
        super().__init__(f"{stage} refused: {failure.message}")
        self.stage = stage


def _act(module, cfg, layout):
    """Run one stage's action; raise Refused on its TaskFailed, let any other exception through."""
    result = module.tasks(cfg, layout)["actions"][0]()
    if isinstance(result, TaskFailed):
        raise Refused(module.__name__.rsplit(".", 1)[-1], result)
    return result


class Runner:
    """One project checkout (its backups/ and .doit/) that publishes to a bare remote."""

    def __init__(self, root, remote, **env):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.cfg = config_for({"BACKUP_GIT_REMOTE": str(remote), "RENDER_WORKERS": "1", **OPEN_GATE, **env})

    def layout(self, run_id):
        """Return the Layout of run `run_id` in this checkout."""
        return Layout(root=self.root, backups=self.root / "backups", run_id=run_id)

    def backup(self, export_zip, run_id):
        """Run every stage from `export_zip` to the push; raise Refused when one refuses."""
        layout = self.layout(run_id)
        summary.begin_invocation()  # as lib.run.loader does for every doit run
        _act(pull, self.cfg, layout)
        layout.run_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(export_zip, layout.export_zip)
        for module in STAGES:
            _act(module, self.cfg, layout)
        return layout

    def pull(self, run_id="fresh"):
        """Run the pull stage (a fresh runner restores official/, manifests/ and site/ from the branch)."""
        layout = self.layout(run_id)
        summary.begin_invocation()
        _act(pull, self.cfg, layout)
        return layout

    def snapshot(self):
        """Return the promoted snapshot.json, or None before the first promotion."""
        path = self.root / "backups" / "manifests" / "snapshot.json"
        return json.loads(path.read_text()) if path.exists() else None


def check_branch(remote, dest):
    """Assert git itself accepts the snapshot branch: `fsck --strict`, and a clone under Windows' and macOS' rules.

    Returns the branch's file paths as git lists them.
    """
    proc = subprocess.run(["git", "--git-dir", str(remote), "fsck", "--strict", "--no-dangling"],
                          capture_output=True, text=True, env=GIT)
    assert proc.returncode == 0 and "error" not in proc.stderr.lower() and "warning" not in proc.stderr.lower(), \
        proc.stderr
    proc = subprocess.run(["git", "-c", "core.protectNTFS=true", "-c", "core.protectHFS=true", "clone", "-q",
                           "-b", BRANCH, str(remote), str(dest)], capture_output=True, text=True, env=GIT)
    assert proc.returncode == 0 and not proc.stderr.strip(), proc.stderr
    listing = subprocess.run(["git", "-C", str(dest), "ls-files", "-z"], capture_output=True, check=True, env=GIT)
    paths = [os.fsdecode(p) for p in listing.stdout.split(b"\0") if p]
    for path in paths:
        for part in os.fsencode(path).split(b"/"):
            assert validate_path_element_ntfs(part) and validate_path_element_hfs(part), path
    return paths
