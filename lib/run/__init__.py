"""One invocation: the entry point, its loader and reporter, the run summary, stage reports and alerts."""
from lib.run.report import clear_failures, record_failure, record_stage
from lib.run.reporter import ConfigFailed
from lib.run.summary import INVOCATION, current_summary, stages_file, write_summary

__all__ = ["clear_failures", "record_failure", "record_stage", "ConfigFailed", "INVOCATION", "current_summary",
           "stages_file", "write_summary"]
