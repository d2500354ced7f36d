"""Runs one scenario file: a workspace, faults, steps of `doit` runs, and what each must leave behind."""
import contextlib
import datetime
import json
import re
import shutil
import signal
from pathlib import Path

from ruamel.yaml import YAML

from lib.core.errors import ExitStatus
from tests.fakes.exports import FakeWorkspace
from tests.fakes.notion_internal import FakeNotion
from tests.fakes.receiver import AlertReceiver
from tests.harness import branch_log, fake_env, git, make_project, run_doit, run_doit_and_kill
from tests.scenarios.workspaces import start_workspaces
from tests.scenarios import history

SECRET_ENV = ("NATIVE_EXPORT_TOKEN_V2", "NATIVE_EXPORT_FILE_TOKEN", "NOTION_ADMIN_TOKEN")


SCENARIO_SCHEMA = Path(__file__).with_name("scenario.schema.json")


class ScenarioInvalid(Exception):
    """A scenario file says something the harness does not understand: a misspelled key checks nothing."""


def load_scenarios(path):
    """Return [(name, spec)] of a scenario file, checked against its schema, one per parameter value.

    `parameters: {stage: [a, b]}` makes one scenario per value, with `{stage}` replaced in every string.
    """
    from jsonschema import Draft202012Validator
    raw = YAML(typ="safe").load(Path(path))
    validator = Draft202012Validator(json.loads(SCENARIO_SCHEMA.read_text()))
    problems = [f"at {'/'.join(map(str, e.absolute_path)) or 'the top'}: {e.message}"
                for e in sorted(validator.iter_errors(raw), key=lambda e: list(map(str, e.absolute_path)))]
    if problems:
        raise ScenarioInvalid(f"{Path(path).name}: " + "; ".join(problems))
    stem = Path(path).stem
    if "parameters" not in raw:
        return [(stem, raw)]
    (name, values), = raw["parameters"].items()
    body = {key: value for key, value in raw.items() if key != "parameters"}
    return [(f"{stem}[{value}]", _substitute(body, "{" + name + "}", value)) for value in values]


def _substitute(node, placeholder, value):
    """Return `node` with `placeholder` replaced by `value` in every string it holds."""
    if isinstance(node, str):
        return node.replace(placeholder, value)
    if isinstance(node, list):
        return [_substitute(item, placeholder, value) for item in node]
    if isinstance(node, dict):
        return {key: _substitute(item, placeholder, value) for key, item in node.items()}
    return node


def update_faults(faults, changes, label):
    """Switch faults on between steps; a name the stand-in does not know fails the scenario."""
    unknown = sorted(set(changes) - set(faults))
    assert not unknown, f"{label}: the stand-in has no faults named {unknown}"
    faults.update(changes)


def enqueue_count(fake):
    """Return how many export tasks the stand-in was asked for."""
    return sum(1 for task in fake.tasks.values() if "parent" not in task)


def check_no_secrets(texts, secrets):
    """Fail when any secret value appears in any of the given texts."""
    for name, text in texts.items():
        for secret in secrets:
            assert secret not in text, f"a secret leaked into {name}"


def manifests_text(project):
    """Return every file the run wrote under backups/ and .doit/ (staging, HTML dumps, journals), for the secret scan."""
    found = []
    for folder in (project / "backups", project / ".doit"):
        if folder.exists():
            found += [p.read_bytes().decode("utf-8", "replace") for p in sorted(folder.rglob("*")) if p.is_file()]
    return "\n".join(found)


def published_text(remote):
    """Return the messages and text diffs of every published commit, for the secret scan."""
    if not branch_log(remote):
        return ""
    return git("log", "-p", "--format=%B", "notion-backups", cwd=remote)


def snapshot_files(project):
    """Return the {path: sha256} map of the promoted snapshot (None before the first one)."""
    path = project / "backups" / "manifests" / "snapshot.json"
    if not path.exists():
        return None
    return {f["path"]: f["sha256"] for f in json.loads(path.read_text())["files"]}


SCHEMAS = Path(__file__).resolve().parents[2] / "lib" / "core" / "schemas"


def check_manifest_schemas(project, label):
    """Validate every manifest the run left behind against its JSON schema in lib/core/schemas."""
    from jsonschema import Draft202012Validator
    for schema_path in sorted(SCHEMAS.glob("*.schema.json")):
        name = schema_path.name.replace(".schema", "")
        for target in [project / "backups" / "manifests" / name, *project.glob(f"backups/*/manifests/{name}")]:
            if not target.exists():
                continue
            validator = Draft202012Validator(json.loads(schema_path.read_text()))
            errors = [e.message for e in validator.iter_errors(json.loads(target.read_text()))]
            assert not errors, f"{label}: {target} does not match its schema: {errors[:3]}"


def dotted_value(path, dotted):
    """Return the value at `a.b.c` in a JSON file."""
    value = json.loads(path.read_text())
    for part in dotted.split("."):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


def admin_signatures(admin):
    """Every download-URL signature the Admin stand-in was asked for (they must never be written anywhere)."""
    return {r["query"]["X-Amz-Signature"] for r in admin.calls("GET") if "X-Amz-Signature" in r["query"]} if admin else set()


def check_expectations(expect, project, remote, fake, result, label, admin=None):
    """Assert every expectation of one step."""
    code, output = result
    if "exit" in expect:
        wanted = ExitStatus[expect["exit"]]  # scenarios name the status: OK, REFUSED, BUG, CONFIG
        assert code == wanted, f"{label}: exit {code}, expected {wanted!r}\n{output[-4000:]}"
    if "commits" in expect:
        commits = branch_log(remote)
        assert len(commits) == expect["commits"], f"{label}: {len(commits)} commits on the remote branch: {commits}"
    for branch, count in expect.get("branches", {}).items():
        commits = branch_log(remote, branch)
        assert len(commits) == count, f"{label}: {len(commits)} commits on the remote {branch}: {commits}"
    if "branch_absent" in expect:
        assert branch_log(remote) == [] and branch_log(project) == [], f"{label}: a branch was created"
    if "gate" in expect:
        report = json.loads((project / "backups/manifests/coverage_report.json").read_text())
        assert report["verdict"] == expect["gate"], f"{label}: gate {report['verdict']}"
    for name in expect.get("files", []):
        assert (project / name).exists(), f"{label}: {name} missing"
    for name in expect.get("absent", []):
        assert not (project / name).exists(), f"{label}: {name} should not exist"
    for text in expect.get("output_contains", []):
        assert text in output, f"{label}: output lacks {text!r}\n{output[-3000:]}"
    for text in expect.get("output_lacks", []):
        assert text not in output, f"{label}: output holds {text!r}\n{output[-3000:]}"
    if "export_strategy" in expect:
        strategy = json.loads((project / "backups/manifests/workspace_export.json").read_text()).get("strategy")
        assert strategy == expect["export_strategy"], f"{label}: export strategy {strategy!r}"
    for pattern in expect.get("globs", []):
        assert list(project.glob(pattern)), f"{label}: nothing matches {pattern}"
    for text in expect.get("failures_contain", []):
        failures = (project / "backups/manifests/failures.json").read_text()
        assert text in failures, f"{label}: failures.json lacks {text!r}: {failures[-1500:]}"
    if "exports_enqueued" in expect:
        assert enqueue_count(fake) == expect["exports_enqueued"], f"{label}: {enqueue_count(fake)} exports enqueued"
    if expect.get("fsck"):
        git("fsck", "--strict", cwd=remote)
    for name in ("run_summary", "workspace_export"):
        for dotted, wanted in expect.get(name, {}).items():
            value = dotted_value(project / f"backups/manifests/{name}.json", dotted)
            assert value == wanted, f"{label}: {name} {dotted} = {value!r}, expected {wanted!r}"
    if "admin_exports_enqueued" in expect:
        assert len(admin.jobs) == expect["admin_exports_enqueued"], f"{label}: {len(admin.jobs)} Admin API jobs"
    for pattern, texts in expect.get("contains", {}).items():
        found = [p.read_text(encoding="utf-8") for p in project.glob(pattern)]
        assert found, f"{label}: nothing matches {pattern}"
        for text in texts:
            assert any(text in body for body in found), f"{label}: no {pattern} holds {text!r}"
    for folder in expect.get("no_lfs_pointers_in", []):
        pointers = [p for p in (project / folder).rglob("*") if p.is_file() and p.stat().st_size < 512
                    and p.read_bytes().startswith(b"version https://git-lfs")]
        assert (project / folder).is_dir() and not pointers, f"{label}: LFS pointers as content: {pointers[:3]}"
    if expect.get("clone"):
        # A checkout under Windows' and macOS' path rules too: every name on the branch must pass them.
        clone = project.parent / f"clone-{label.replace(' ', '-')}"
        shutil.rmtree(clone, ignore_errors=True)
        git("-c", "core.protectNTFS=true", "-c", "core.protectHFS=true", "clone", "-q", "-b", "notion-backups",
            str(remote), str(clone))
    if "snapshot_renames_at_least" in expect:
        renames = json.loads((project / "backups/manifests/snapshot.json").read_text())["renames"]
        assert len(renames) >= expect["snapshot_renames_at_least"], f"{label}: {len(renames)} renames: {renames}"
    if "official_unchanged" in expect:
        pass  # checked by the runner, which keeps the snapshot from before the step


def all_refs(project, remote):
    """Return every ref (name and commit) of the project's repository and of the remote, to see that none moved."""
    return [git("for-each-ref", "--format=%(refname) %(objectname)", cwd=where) for where in (project, remote)]


def run_summary_bytes(project):
    """Return run_summary.json as it is on disk (None when absent)."""
    path = project / "backups/manifests/run_summary.json"
    return path.read_bytes() if path.exists() else None


def expand_dates(value):
    """Replace `{today+N}` / `{today-N}` with the UTC date N days away (expiry dates relative to the run)."""
    def date(match):
        today = datetime.datetime.now(datetime.timezone.utc).date()
        return (today + datetime.timedelta(days=int(match.group(1)))).isoformat()
    return re.sub(r"\{today([+-]\d+)\}", date, value)


def run_scenario(spec, tmp_path):
    """Execute one scenario (as load_scenarios returns it) end to end in `tmp_path`."""
    workspace = FakeWorkspace(**spec.get("workspace", {}))
    with contextlib.ExitStack() as stack:
        receiver = stack.enter_context(AlertReceiver())
        project, remote = make_project(tmp_path)
        if "workspaces" in spec:   # one stand-in per named workspace, none for the plain names
            fakes, env = start_workspaces(spec["workspaces"], stack, project)
            fake = next(iter(fakes.values()))
            env.update(BACKUP_NOTIFY_URLS=receiver.url, **spec.get("env", {}))
        else:
            fake = stack.enter_context(FakeNotion(workspace=workspace, **spec.get("faults", {})))
            env = fake_env(fake, BACKUP_NOTIFY_URLS=receiver.url, **spec.get("env", {}))
        admin = None
        if "admin_api" in spec:
            from tests.fakes.notion_admin import FakeNotionAdmin
            admin = stack.enter_context(FakeNotionAdmin(workspace=workspace, **spec["admin_api"]))
            env.update(admin.env())
        public = None
        if "public_api" in spec:
            from tests.fakes.notion_public import FakeNotionPublic
            public = stack.enter_context(FakeNotionPublic(**spec["public_api"]))
            for name, value in spec.get("public_api_faults", {}).items():
                assert hasattr(public.faults, name), f"the public-API stand-in has no fault named {name!r}"
                setattr(public.faults, name, value)
            env.update(NOTION_API_KEY=public.token, NOTION_API_BASE_URL=public.base_url,
                       NOTION_API_REQUESTS_PER_SECOND="1000")
        lfs = None
        if "lfs" in spec:
            from tests.fakes.lfs_server import FakeLFS
            lfs = stack.enter_context(FakeLFS(**spec["lfs"]))
            # The LFS server is another host than the (local) remote: its own token, never the push token.
            env.update(BACKUP_LFS="1", BACKUP_LFS_URL=lfs.url, BACKUP_LFS_TOKEN=lfs.password,
                       BACKUP_PUSH_TOKEN="push-token-never-for-lfs")
        if spec.get("roots"):
            tops = [n for n in workspace.live_nodes() if n.parent is None and n.kind == "page"][: spec["roots"]]
            # One root as a page URL, the others as bare ids: both spellings users paste.
            ids = [f"https://www.notion.so/Some-Page-{tops[0].id}"] + [n.id for n in tops[1:]]
            env["OFFICIAL_EXPORT_ROOT_PAGE_IDS"] = ",".join(ids)
        for name in spec.get("unset", []):
            env[name] = ""
        named = {f"{secret}_{name.upper().replace('-', '_')}" for secret in SECRET_ENV
                 for name in spec.get("workspaces", {})}
        secrets = {env[name] for name in set(SECRET_ENV) | named if env.get(name)} | {fake.file_token}
        secrets |= {lfs.password, env["BACKUP_PUSH_TOKEN"]} if lfs else set()
        for index, step in enumerate(spec["steps"], 1):
            label = f"step {index}"
            before, refs_before, summary_before = snapshot_files(project), all_refs(project, remote), \
                run_summary_bytes(project)
            if "day" in step:
                fake.set_day(step["day"])
                if admin:
                    admin.workspace = fake.workspace  # both stand-ins export the same workspace
                continue
            if "shrink" in step:
                fake.workspace = FakeWorkspace(**{**spec.get("workspace", {}), "shrink": step["shrink"]})
                if admin:
                    admin.workspace = fake.workspace
                continue
            if "write" in step:
                for name, text in step["write"].items():
                    (project / name).write_text(text)
                continue
            if "remove" in step:
                shutil.rmtree(project / step["remove"])
                continue
            if step.get("fresh_runner"):
                fresh_runner(project, remote)
                continue
            if "faults" in step:
                update_faults(fake.faults, step["faults"], label)
                continue
            if "public_edit" in step or "public_trash" in step:
                history.public_edit(public, step["public_edit"]) if "public_edit" in step else \
                    history.public_trash(public, step["public_trash"])
                continue
            if "admin_faults" in step:
                update_faults(admin.faults, step["admin_faults"], label)
                continue
            if "git" in step:  # a user's own git work in the project, e.g. a branch pushed to the remote
                git(*step["git"], cwd=project)
                continue
            step_env = {**env, **{k: expand_dates(str(v)) for k, v in step.get("env", {}).items()}}
            if "kill" in step:
                sig = getattr(signal, "SIG" + step["kill"].get("signal", "KILL"))
                code, output, killed = run_doit_and_kill(project, step_env, step["kill"]["stage"], sig,
                                                         step["kill"].get("delay", 0.0))
                assert killed, f"{label}: stage {step['kill']['stage']} never started\n{output[-3000:]}"
                result = (code, output)
            else:
                args = [history.expand(a.replace("{empty_page}", public.empty_page_id), public) if public else a
                        for a in step.get("doit", [])]
                unchanged = {name: (project / name).read_bytes() for name in step.get("expect", {}).get("unchanged", [])}
                done = run_doit(project, step_env, *args)
                result = (done.returncode, done.stdout + done.stderr)
            expect = step.get("expect", {})
            check_expectations(expect, project, remote, fake, result, label, admin)
            if "lfs_objects" in expect:
                assert len(lfs.objects()) == expect["lfs_objects"], f"{label}: LFS store holds {lfs.objects()}"
            for name, data in (unchanged if "kill" not in step else {}).items():
                assert (project / name).read_bytes() == data, f"{label}: {name} changed"
            if "recovered" in expect:
                history.check_recovered(project, remote, expect["recovered"], label, public)
            if "public_tree" in expect:
                history.check_public_tree(public, expect["public_tree"], label)
            if "alerts" in expect:
                assert len(receiver.messages) == expect["alerts"], f"{label}: alerts {receiver.messages}"
            for text in expect.get("alert_contains", []):
                assert receiver.messages and text in json.dumps(receiver.messages[-1], ensure_ascii=False), \
                    f"{label}: the last alert lacks {text!r}: {receiver.messages[-1:]}"
            if expect.get("official_unchanged"):
                assert snapshot_files(project) == before, f"{label}: the promoted snapshot changed"
            if expect.get("refs_unchanged"):
                assert all_refs(project, remote) == refs_before, f"{label}: a branch or ref moved"
            if expect.get("run_summary_unchanged"):
                assert run_summary_bytes(project) == summary_before, f"{label}: run_summary.json was rewritten"
            check_manifest_schemas(project, label)
            check_no_secrets({f"{label} output": result[1], f"{label} manifests": manifests_text(project),
                              f"{label} published commits": published_text(remote)}, secrets | admin_signatures(admin))
        check_no_secrets({"alerts": str(receiver.messages)}, secrets)
        final = spec.get("final", {})
        if final.get("same_as_cookie_path"):
            compare_with_reference(tmp_path / "cookie", project, fake, fake_env(fake), final.get("reference_day", 0))
        if final.get("same_as_uninterrupted"):
            compare_with_reference(tmp_path / "reference", project, fake, env, final.get("reference_day", 0))


def fresh_runner(project, remote):
    """Make `project` what a new CI runner checks out: the code on main only, no backups/, no state, no snapshots."""
    for name in ("backups", ".doit", ".git"):
        shutil.rmtree(project / name, ignore_errors=True)
    git("init", "-q", "-b", "main", str(project))
    git("add", "-A", cwd=project)
    git("commit", "-q", "-m", "project", cwd=project)
    git("remote", "add", "origin", str(remote), cwd=project)


def compare_with_reference(base, project, fake, env, day):
    """Run a clean backup with `env` in a fresh project and require the same snapshot and site as `project`'s."""
    base.mkdir()
    ref_project, _ = make_project(base)
    fake.set_day(day)
    done = run_doit(ref_project, env)
    assert done.returncode == ExitStatus.OK, done.stdout + done.stderr
    ours, theirs = snapshot_files(project), snapshot_files(ref_project)
    differ = sorted(set(ours.items()) ^ set(theirs.items())) if ours and theirs else [ours, theirs]
    assert ours == theirs, f"the run differs from the reference run: {differ[:6]}"
    site = sorted(p.relative_to(project / "backups/site").as_posix() for p in (project / "backups/site").rglob("*"))
    ref_site = sorted(p.relative_to(ref_project / "backups/site").as_posix()
                      for p in (ref_project / "backups/site").rglob("*"))
    assert site == ref_site, "the site differs from the reference run's"
