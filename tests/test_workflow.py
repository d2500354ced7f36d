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
    job = flow["jobs"]["backup"]
    assert job["concurrency"]["cancel-in-progress"] is False
    steps = job["steps"]
    assert any(step.get("run") == ".ci/backup" for step in steps)  # doit's exit code, not make's 2
    upload = next(step for step in steps if "upload-artifact" in step.get("uses", ""))
    assert upload["if"] == "${{ always() }}" and "backups/manifests/" in upload["with"]["path"]


def test_one_job_per_workspace_from_the_configuration():
    flow = YAML(typ="safe").load(WORKFLOW)
    plan, job = flow["jobs"]["plan"], flow["jobs"]["backup"]
    assert any("python -m lib.config.ci_matrix" in step.get("run", "") for step in plan["steps"])
    assert job["needs"] == "plan" and job["strategy"]["fail-fast"] is False
    assert job["strategy"]["matrix"] == "${{ fromJSON(needs.plan.outputs.matrix) }}"
    # Each workspace its own concurrency group, its own name, its own secrets (falling back to the plain ones).
    assert "matrix.workspace" in job["concurrency"]["group"]
    assert job["env"]["BACKUP_WORKSPACE"] == "${{ matrix.workspace }}"
    for secret in ("NATIVE_EXPORT_TOKEN_V2", "NATIVE_EXPORT_FILE_TOKEN", "NOTION_API_KEY", "NOTION_ADMIN_TOKEN"):
        assert job["env"][secret] == (f"${{{{ secrets[format('{secret}_{{0}}', matrix.suffix)] || "
                                      f"secrets.{secret} }}}}")
