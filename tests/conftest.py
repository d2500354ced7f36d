"""pytest wiring: every tests/scenarios/*.yaml file is a test that runs the real dodo.py end to end."""
import pytest
from hypothesis import HealthCheck, settings

from ruamel.yaml import YAML

# Generated-input tests: a bounded number of examples in `make test`; `make test-long` runs every
# @given test (pytest marks them `hypothesis`) with `--hypothesis-profile=long`. No example database
# is written into the checkout; slow examples (whole pipeline runs) are expected.
settings.register_profile("bounded", max_examples=100, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("long", settings.get_profile("bounded"), max_examples=2000)
settings.load_profile("bounded")


PUBLIC_API_VERSIONS = ("2025-09-03", "2026-12-01")


def pytest_collect_file(parent, file_path):
    """Collect scenario files as test items."""
    if file_path.suffix == ".yaml" and file_path.parent.name == "scenarios":
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    """A YAML scenario: one test item."""

    def collect(self):
        spec = YAML(typ="safe").load(self.path)
        # A scenario with the public-API stand-in runs on the oldest Notion-Version tested and on the default.
        versions = PUBLIC_API_VERSIONS if "public_api" in spec else (None,)
        for version in versions:
            name = f"{self.path.stem}[{version}]" if version else self.path.stem
            item = ScenarioItem.from_parent(self, name=name)
            item.api_version = version
            if spec.get("long"):
                item.add_marker(pytest.mark.long)
            yield item


class ScenarioItem(pytest.Item):
    """Runs the scenario in a fresh temporary directory."""

    def runtest(self):
        from tests.scenario_runner import run_scenario  # the stand-in loads only when scenarios run
        tmp = self.config._tmp_path_factory.mktemp(self.name)
        run_scenario(self.path, tmp, api_version=self.api_version)

    def reportinfo(self):
        return self.path, 0, f"scenario: {self.name}"

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, AssertionError):
            return f"{self.path.name}: {excinfo.value}"
        return super().repr_failure(excinfo)
