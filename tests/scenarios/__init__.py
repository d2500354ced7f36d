"""Scenario files and the harness that runs them: each *.yaml is one end-to-end test (schema: scenario.schema.json)."""
