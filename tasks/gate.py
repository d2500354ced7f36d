"""gate: refuse to promote a snapshot whose counts fall below the minimums or drop too far."""
import logging

from lib.snapshot import evaluate_gate, measure
from lib.core.errors import GateRefused
from lib.core.fsutil import read_json, write_json_atomic
from lib.core.clock import now_iso
from tasks import reads, stage_action

log = logging.getLogger("gate")


def run_gate(cfg, layout, accept_drop=False):
    """Compare counts.json with the previous snapshot's counts; write gate.json only on a pass."""
    current = read_json(layout.counts)
    previous_snapshot = read_json(layout.snapshot)
    if previous_snapshot and previous_snapshot.get("run_id") == layout.run_id:
        if layout.gate.exists():
            # Promoted on this verdict: it stands (one run, one snapshot); a changed setting judges the next run id.
            log.info("this run was judged and promoted already: its verdict stands")
            return {"verdict": read_json(layout.gate)["verdict"], "kept": True}
        # Promoted, its verdict lost (a kill before doit saved its state): judge it against the snapshot before it.
        previous_snapshot = read_json(layout.previous_snapshot)
    previous = previous_snapshot.get("counts") if previous_snapshot else None
    result = evaluate_gate(current, previous, cfg["quality.min_md_count"], cfg["quality.min_csv_count"],
                           cfg["quality.max_drop_percent"], accept_drop or cfg["quality.accept_drop"])
    result.update(run_id=layout.run_id, time=now_iso(),
                  previous_run_id=previous_snapshot.get("run_id") if previous_snapshot else None)
    write_json_atomic(layout.coverage_report, result)
    if result["verdict"] == "refused":
        raise GateRefused("quality gate refused the snapshot, backups/official left as it was: "
                          + "; ".join(result["reasons"]))
    if result["accepted_drop"]:
        log.warning("accepted a large drop once: %s", "; ".join(result["accepted_reasons"]))
    log.info("gate passed: %d pages, %d CSV files%s", measure(current, "md"), measure(current, "csv"),
             "" if previous else " (first snapshot: minimums only)")
    write_json_atomic(layout.gate, result)
    return {"verdict": result["verdict"], "accepted_drop": result["accepted_drop"]}


def tasks(cfg, layout):
    """Re-runs whenever the counts or the quality settings change; `--accept-drop` accepts a large deletion once.

    An upgrade does not judge a run again: it applies from the next run id (as for count and promote, whose
    results are decisions about this run's tree, which promote has already moved into official/)."""
    return {
        "actions": [stage_action(layout, "gate", lambda accept_drop=False: run_gate(cfg, layout, accept_drop))],
        "file_dep": [layout.counts],
        "targets": [layout.gate],
        "task_dep": ["pull"],
        "uptodate": [reads(cfg, "gate", ("quality.min_md_count", "quality.min_csv_count", "quality.max_drop_percent",
                                         "quality.accept_drop"))],
        "params": [{"name": "accept_drop", "long": "accept-drop", "type": bool, "default": False,
                    "help": "accept a drop past quality.max_drop_percent once (recorded)"}],
        "verbosity": 2,
    }
