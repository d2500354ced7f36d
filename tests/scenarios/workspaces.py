"""Scenarios with several workspaces: one Notion stand-in per workspace, named in backup.config.yaml."""
from tests.fakes.exports import FakeWorkspace
from tests.fakes.notion_internal import FakeNotion
from tests.harness import fake_env

# The settings that point one workspace at its own stand-in (backup.config.yaml keys) and its secrets.
SETTING_OF = {"NOTION_BASE_URL": ("notion", "base_url"),
              "NOTION_NOTIFICATION_BASE_URLS": ("notion", "notification_base_urls"),
              "NOTION_FILE_HOSTS": ("notion", "file_hosts")}
SECRETS = ("NATIVE_EXPORT_TOKEN_V2", "NATIVE_EXPORT_FILE_TOKEN")


def start_workspaces(specs, stack, project):
    """Start a stand-in per workspace, append its `workspaces:` section to the project's config, and return
    ({name: fake}, the environment holding each workspace's own secrets under its suffixed names)."""
    fakes, lines, env = {}, ["", "workspaces:"], {}
    for name, spec in specs.items():
        fake = stack.enter_context(FakeNotion(workspace=FakeWorkspace(**spec.get("workspace", {})),
                                              **spec.get("faults", {})))
        fakes[name] = fake
        own = fake_env(fake)
        lines += [f"  {name}:", f'    space_id: "{fake.workspace.space_id}"', "    notion:"]
        for variable, (_, key) in SETTING_OF.items():
            lines.append(f"      {key}: {own[variable]!r}" if "," not in own[variable] else
                         f"      {key}: [{', '.join(repr(v) for v in own[variable].split(','))}]")
        suffix = name.upper().replace("-", "_")
        env.update({f"{secret}_{suffix}": own[secret] for secret in SECRETS})
        for key, value in spec.get("settings", {}).items():
            section, setting = key.split(".")
            lines += [f"    {section}:", f"      {setting}: {value}"]
    with open(project / "backup.config.yaml", "a", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
    polls = {k: v for k, v in fake_env(next(iter(fakes.values()))).items() if "INTERVAL" in k}
    return fakes, dict(env, **polls)
