"""The shipped GitHub Actions workflow is valid and keeps its promises."""
import shutil
import subprocess
import sys
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "notion-backup.yml"


def actionlint():
    found = shutil.which("actionlint") or str(Path(sys.executable).parent / "actionlint")
    return found


def test_actionlint_finds_no_problem():
    done = subprocess.run([actionlint(), str(WORKFLOW)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_schedule_concurrency_permissions_and_artifacts():
    flow = YAML(typ="safe").load(WORKFLOW)
    on = flow["on"]
    assert [c["cron"] for c in on["schedule"]] == ["0 2 * * *", "0 3 * * 0"]
    assert "source" in on["workflow_dispatch"]["inputs"]
    assert flow["permissions"] == {"contents": "write"}
    assert flow["concurrency"]["cancel-in-progress"] is False
    steps = flow["jobs"]["backup"]["steps"]
    assert any(step.get("run") == ".ci/backup" for step in steps)  # doit's exit code, not make's 2
    upload = next(step for step in steps if "upload-artifact" in step.get("uses", ""))
    assert upload["if"] == "${{ always() }}" and upload["with"]["path"] == "backups/manifests/"
