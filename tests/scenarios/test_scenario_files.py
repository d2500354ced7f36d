"""The scenario harness cannot pass by accident: every file matches the schema, and what it does not understand fails."""
import json

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.scenarios.runner import SCENARIO_SCHEMA, ScenarioInvalid, load_scenarios, update_faults

HERE = SCENARIO_SCHEMA.parent
GOOD = """description: one backup
workspace: {seed: 1, pages: 10}
steps:
  - doit: []
    expect: {exit: OK, commits: 1}
"""


def scenario(tmp_path, text, name="case.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("path", sorted(HERE.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_scenario_file_matches_the_schema(path):
    assert load_scenarios(path)


@pytest.mark.parametrize("broken,named", [
    (GOOD.replace("commits: 1", "comits: 1"), "comits"),                 # a misspelled expectation
    (GOOD.replace("commits: 1", "commits: two"), "two"),                 # a wrong type
    (GOOD.replace("description: one backup\n", ""), "description"),     # a missing required key
    (GOOD.replace("  - doit: []\n", "  - dooit: []\n"), "dooit"),        # a step the harness cannot run
    (GOOD + "finale: {same_as_uninterrupted: true}\n", "finale"),       # an unknown section
    (GOOD.replace("exit: OK", "exit: FINE"), "FINE"),                    # an exit status that does not exist
])
def test_what_the_harness_does_not_understand_fails(tmp_path, broken, named):
    with pytest.raises(ScenarioInvalid, match=named):
        load_scenarios(scenario(tmp_path, broken))


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.from_regex(r"[a-z_]{3,20}", fullmatch=True))
def test_any_unknown_expectation_key_fails(tmp_path_factory, key):
    known = json.loads(SCENARIO_SCHEMA.read_text())["$defs"]["expect"]["properties"]
    assume(key not in known)
    path = scenario(tmp_path_factory.mktemp("case"), GOOD.replace("commits: 1", f"{key}: 1"))
    with pytest.raises(ScenarioInvalid, match=key):
        load_scenarios(path)


def test_parameters_make_one_scenario_per_value(tmp_path):
    text = ("description: kill in {stage}\nparameters: {stage: [export, render]}\nsteps:\n"
            "  - kill: {stage: \"{stage}\"}\n")
    loaded = load_scenarios(scenario(tmp_path, text, "kill.yaml"))
    assert [name for name, _ in loaded] == ["kill[export]", "kill[render]"]
    assert [spec["steps"][0]["kill"]["stage"] for _, spec in loaded] == ["export", "render"]
    assert loaded[1][1]["description"] == "kill in render" and "parameters" not in loaded[1][1]


def test_a_fault_the_stand_in_does_not_know_fails():
    faults = {"export_polls": 0}
    update_faults(faults, {"export_polls": 3}, "step 1")
    assert faults == {"export_polls": 3}
    with pytest.raises(AssertionError, match="export_pols"):
        update_faults(faults, {"export_pols": 3}, "step 2")
