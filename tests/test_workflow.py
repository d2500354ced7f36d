"""The shipped GitHub Actions workflow is valid, keeps its promises and passes a security review (zizmor)."""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from lib.config.workspaces import OWN_SECRETS

ROOT = Path(__file__).resolve().parent.parent
GITHUB = ROOT / ".github"
WORKFLOW = GITHUB / "workflows" / "notion-backup.yml"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.y*ml"))
# An action pinned to a release's commit, the release named beside it: `owner/repo[/path]@<sha> # v1.2.3`.
PINNED = re.compile(r"^\s*(?:-\s+)?uses:\s+[\w.-]+/[\w.-]+(?:/[\w./-]+)?@[0-9a-f]{40} # v\d+\.\d+\.\d+\s*$")
# What a backup uses on the runner: the free-disk step must leave it all in place.
KEPT = ("/opt/hostedtoolcache/Python", "/opt/google/chrome", "/usr/local/share/chromium", "/usr/bin", "/home")


def tool(name):
    """The path of a command installed with the requirements (in this interpreter's bin/), or on PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


def flow():
    return YAML(typ="safe").load(WORKFLOW)


def step(job, name):
    return next(one for one in flow()["jobs"][job]["steps"] if one.get("name") == name)


def zizmor_findings(path):
    """zizmor's findings at medium severity or above, offline (as `make lint` runs it)."""
    found = tool("zizmor")
    if not found:
        pytest.skip("zizmor is not installed (make setup installs it from requirements.txt)")
    done = subprocess.run([found, "--offline", "--min-severity", "medium", "--format", "json", str(path)],
                          capture_output=True, text=True)
    assert done.stdout.strip(), done.stderr
    return [(finding["ident"], finding["determinations"]["severity"]) for finding in json.loads(done.stdout)
            if not finding["ignored"]]


def unpinned(text):
    """The `uses:` lines of a workflow's text that are not pinned to a commit with its release tag."""
    return [line.strip() for line in text.splitlines()
            if re.match(r"^\s*(?:-\s+)?uses:", line) and not PINNED.match(line)]


def test_actionlint_finds_no_problem():
    done = subprocess.run([tool("actionlint"), *map(str, WORKFLOWS)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_finds_nothing_at_medium_or_above_and_nothing_is_silenced():
    assert zizmor_findings(GITHUB) == []
    for path in [*WORKFLOWS, GITHUB / "dependabot.yml"]:
        assert "zizmor: ignore" not in path.read_text(), path.name


def test_zizmor_catches_what_the_issue_found(tmp_path):
    # The workflow as it was: movable tags, write access for all, the secrets context in every job.
    old = re.sub(r"\n    permissions:\n      contents: \w+.*", "", WORKFLOW.read_text())
    old = old.replace("permissions: {}", "permissions:\n  contents: write")
    old = re.sub(r"@[0-9a-f]{40} # (v\d+)\S*", r"@\1", old)
    old = old.replace("${{ secrets.NOTION_API_KEY }}", "${{ secrets[format('NOTION_API_KEY_{0}', matrix.workspace)] }}")
    (tmp_path / "old.yml").write_text(old)
    found = {ident for ident, _ in zizmor_findings(tmp_path / "old.yml")}
    assert {"unpinned-uses", "excessive-permissions", "overprovisioned-secrets"} <= found
    assert len(unpinned(old)) == 5


def test_every_action_is_pinned_to_a_commit_with_its_release_named():
    for path in WORKFLOWS:
        text = path.read_text()
        uses = [one["uses"] for job in YAML(typ="safe").load(text)["jobs"].values()
                for one in job.get("steps", []) if "uses" in one]
        assert uses and unpinned(text) == [], path.name
        assert len(re.findall(r"^\s*(?:-\s+)?uses:", text, re.M)) == len(uses)  # none written another way
    assert unpinned("      - uses: actions/checkout@v7") and unpinned(f"  uses: a/b@{'0' * 40} # v7")


def test_least_privilege_and_secrets_for_the_backup_step_alone():
    assert flow()["permissions"] == {}
    assert flow()["jobs"]["plan"]["permissions"] == {"contents": "read"}
    assert flow()["jobs"]["backup"]["permissions"] == {"contents": "write"}
    for path in WORKFLOWS:
        assert "secrets[" not in path.read_text() and "vars[" not in path.read_text(), path.name
    backup = step("backup", "Back up")
    # Plain names: the job's environment supplies its own, else the repository's.
    assert {name: backup["env"][name] for name in OWN_SECRETS} == {
        name: f"${{{{ secrets.{name} }}}}" for name in OWN_SECRETS}
    elsewhere = json.dumps({**flow(), "jobs": {name: {**job, "steps": [one for one in job["steps"] if one != backup]}
                                               for name, job in flow()["jobs"].items()}})
    assert "secrets." not in elsewhere   # no action and no other step receives a secret


def test_schedule_concurrency_and_artifacts():
    on = flow()["on"]
    assert [c["cron"] for c in on["schedule"]] == ["0 2 * * *", "0 3 * * 0"]
    assert "source" in on["workflow_dispatch"]["inputs"]
    job = flow()["jobs"]["backup"]
    assert job["concurrency"]["cancel-in-progress"] is False
    assert step("backup", "Back up")["run"].endswith("exec .ci/backup\n")  # doit's exit code, not make's 2
    upload = next(one for one in job["steps"] if "upload-artifact" in one.get("uses", ""))
    assert upload["if"] == "${{ always() }}" and "backups/manifests/" in upload["with"]["path"]


def test_one_job_per_workspace_in_its_own_environment():
    plan, job = flow()["jobs"]["plan"], flow()["jobs"]["backup"]
    assert any("python -m lib.config.ci_matrix" in one.get("run", "") for one in plan["steps"])
    assert job["needs"] == "plan" and job["strategy"]["fail-fast"] is False
    assert job["strategy"]["matrix"] == "${{ fromJSON(needs.plan.outputs.matrix) }}"
    assert job["environment"] == "${{ matrix.environment }}"
    assert "matrix.workspace" in job["concurrency"]["group"]
    assert step("backup", "Back up")["env"]["BACKUP_WORKSPACE"] == "${{ matrix.workspace }}"


def test_the_browser_is_the_runners_own_and_its_absence_only_warns(tmp_path):
    assert "apt-get" not in WORKFLOW.read_text()
    browser = step("backup", "Find the browser for the UI fallback")
    assert browser["continue-on-error"] is True
    for present in ([], ["google-chrome"], ["chromium", "google-chrome"]):
        bin_dir, env_file = tmp_path / f"bin{len(present)}", tmp_path / f"env{len(present)}"
        bin_dir.mkdir()
        for name in present:
            (bin_dir / name).write_text("#!/bin/sh\n")
            (bin_dir / name).chmod(0o755)
        done = subprocess.run(["/bin/bash", "-e", "-c", browser["run"]], capture_output=True, text=True,
                              env={"PATH": str(bin_dir), "GITHUB_ENV": str(env_file)})
        assert done.returncode == 0, done.stderr
        written = env_file.read_text() if env_file.exists() else ""
        assert written == (f"CHROMIUM_PATH={bin_dir / present[0]}\n" if present else "")
        assert ("::warning::" in done.stdout) == (not present)


def test_the_free_disk_step_is_opt_in_per_workspace_and_keeps_what_a_backup_uses():
    free = step("backup", "Free disk on the runner")
    assert free["if"] == "${{ matrix.free_disk }}" and free["continue-on-error"] is True
    names = [one.get("name") for one in flow()["jobs"]["backup"]["steps"]]   # the script comes with the checkout
    checkout, python = names.index("Check out main (code and config only)"), names.index("Set up Python")
    assert checkout < names.index(free["name"]) < python
    script, *folders = free["run"].split()
    assert script == ".ci/free-disk" and len(folders) >= 5
    assert not [(gone, kept) for gone in folders for kept in KEPT
                if kept.startswith(gone.rstrip("*")) or gone.startswith(kept + "/")]


def test_free_disk_removes_the_folders_and_reports_the_space_in_the_job_summary(tmp_path):
    folders = [tmp_path / "android", tmp_path / "dotnet"]
    for folder in folders:
        (folder / "sdk").mkdir(parents=True)
        (folder / "sdk" / "blob").write_bytes(os.urandom(1 << 20))
    summary = tmp_path / "summary.md"
    done = subprocess.run([str(ROOT / ".ci" / "free-disk"), *map(str, folders), str(tmp_path / "absent")], cwd=tmp_path,
                          capture_output=True, text=True, env={**os.environ, "GITHUB_STEP_SUMMARY": str(summary)})
    assert done.returncode == 0, done.stderr
    assert not any(folder.exists() for folder in folders)
    report = summary.read_text()
    assert report.startswith("### Disk\n") and re.search(r"freed -?\d+\.\d GB on /\S* \(\d+\.\d GB free before", report)
    assert report.rstrip().endswith(f"removed: {folders[0]} {folders[1]}")   # the absent one is skipped
    assert subprocess.run([str(ROOT / ".ci" / "free-disk")], capture_output=True).returncode == 3


def test_dependabot_moves_the_pins_and_the_requirements_after_a_cooldown():
    config = YAML(typ="safe").load(GITHUB / "dependabot.yml")
    updates = {update["package-ecosystem"]: update for update in config["updates"]}
    assert set(updates) == {"github-actions", "pip"}
    assert all(update["cooldown"]["default-days"] >= 7 for update in updates.values())


def test_the_readme_shows_the_environments_for_several_workspaces():
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Running it on a schedule"):readme.index("## Configuration")]
    assert 'gh api --method PUT "repos/$repo/environments/team"' in section
    for name in OWN_SECRETS:
        assert f"gh secret set {name} --env team" in section, name
    assert "_TEAM" in section and "`.env`" in section   # where the suffixed names go, and where they stay


@pytest.mark.parametrize("workspace, secrets, code", [
    ("", {}, 0),                                        # one workspace, nothing set: the setup notice, green
    ("team", {}, 3),                                    # a workspace whose secrets were not moved: red
    ("team", {"NATIVE_EXPORT_TOKEN_V2": "cookie"}, 0),
    ("team", {"NOTION_ADMIN_TOKEN": "token"}, 0),
    ("team", {"NOTION_API_KEY": "key"}, 0),
])
def test_a_workspace_without_any_credential_fails_instead_of_backing_up_nothing(tmp_path, workspace, secrets, code):
    (tmp_path / ".ci").mkdir()
    (tmp_path / ".ci" / "backup").write_text("#!/bin/sh\necho backed up\n")   # stands in for the real run
    (tmp_path / ".ci" / "backup").chmod(0o755)
    backup = step("backup", "Back up")
    env = {name: "" for name in OWN_SECRETS} | secrets | {"BACKUP_WORKSPACE": workspace, "PATH": os.environ["PATH"]}
    done = subprocess.run(["/bin/bash", "-e", "-c", backup["run"]], cwd=tmp_path, env=env, capture_output=True,
                          text=True)
    assert done.returncode == code, done.stdout + done.stderr
    assert ("backed up" in done.stdout) == (code == 0)
    assert ("::error::workspace team:" in done.stdout) == (code == 3)
