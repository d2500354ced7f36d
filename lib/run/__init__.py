"""One invocation: the entry point, the run summary, stage reports and alerts."""
from lib.run.report import clear_failures, record_failure, record_stage
from lib.run.summary import INVOCATION, current_summary, stages_file, write_summary

__all__ = ["clear_failures", "record_failure", "record_stage", "INVOCATION", "current_summary", "stages_file",
           "write_summary"]
