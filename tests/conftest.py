"""pytest wiring: every tests/scenarios/*.yaml file is a test that runs the real dodo.py end to end."""
import pytest
from hypothesis import HealthCheck, settings


# Generated-input tests: a bounded number of examples in `make test`; `make test-long` runs every
# @given test (pytest marks them `hypothesis`) with `--hypothesis-profile=long`. No example database
# is written into the checkout; slow examples (whole pipeline runs) are expected.
settings.register_profile("bounded", max_examples=100, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("long", settings.get_profile("bounded"), max_examples=2000)
settings.load_profile("bounded")


def pytest_collect_file(parent, file_path):
    """Collect scenario files as test items."""
    if file_path.suffix == ".yaml" and file_path.parent.name == "scenarios":
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    """A YAML scenario: one test item, or one per value of its `parameters`."""

    def collect(self):
        from tests.scenarios.runner import load_scenarios  # checked against the schema: an unknown key fails
        for name, spec in load_scenarios(self.path):
            item = ScenarioItem.from_parent(self, name=name, spec=spec)
            if spec.get("long"):
                item.add_marker(pytest.mark.long)
            yield item


class ScenarioItem(pytest.Item):
    """Runs the scenario in a fresh temporary directory."""

    def __init__(self, *, spec, **kwargs):
        super().__init__(**kwargs)
        self.spec = spec

    def runtest(self):
        from tests.scenarios.runner import run_scenario
        tmp = self.config._tmp_path_factory.mktemp(self.name.replace("[", "-").replace("]", ""))
        run_scenario(self.spec, tmp)

    def reportinfo(self):
        return self.path, 0, f"scenario: {self.name}"

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, AssertionError):
            return f"{self.path.name}: {excinfo.value}"
        return super().repr_failure(excinfo)
