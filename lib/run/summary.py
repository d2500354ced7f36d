"""run_summary.json: what one `doit` invocation did, good or bad, plus the one-line human summary."""
import datetime
import logging
import time

from lib.core.errors import ExitStatus
from lib.core.fsutil import read_json, write_json_atomic
from lib.core.clock import now_iso
from lib.site import site_facts

log = logging.getLogger("summary")

# Set once per doit run by lib.run.loader; `backup` is False for a manual task run alone.
INVOCATION = {"started_iso": None, "started_monotonic": None, "interrupted": False, "token_v2_expires": "",
              "backup": True}


def begin_invocation(token_v2_expires="", backup=True):
    """Remember when this doit invocation started, whether it is a backup run, and the recorded cookie expiry."""
    INVOCATION.update(started_iso=now_iso(), started_monotonic=time.monotonic(), interrupted=False,
                      token_v2_expires=token_v2_expires, backup=backup)


def stages_file(layout):
    """Where this invocation's stage outcomes go: the run's stages.json, or .doit/ for a manual task."""
    return layout.stages if INVOCATION["backup"] else layout.manual_stages


def current_summary(layout, final=True):
    """Return the summary of the invocation in progress."""
    result = build_summary(layout, INVOCATION["started_iso"], INVOCATION["started_monotonic"],
                           interrupted=INVOCATION["interrupted"], final=final)
    result["token_v2"] = token_status(INVOCATION["token_v2_expires"])
    return result


def token_status(expires, today=None):
    """Return {expires, days_left} for the recorded token_v2 expiry date, or None when unknown."""
    if not expires:
        return None
    today = today or datetime.datetime.now(datetime.timezone.utc).date()
    return {"expires": expires, "days_left": (datetime.date.fromisoformat(expires) - today).days}


def token_warning(status):
    """Return the warning for a token_v2 at or near its expiry."""
    days = status["days_left"]
    when = (f"expired on {status['expires']} ({-days} days ago)" if days < 0 else
            f"expires on {status['expires']} (today)" if days == 0 else
            f"expires on {status['expires']} (in {days} day{'s' if days != 1 else ''})")
    return (f"token_v2 {when}: copy a fresh token_v2 from the browser into NATIVE_EXPORT_TOKEN_V2 and its "
            "expiry into NATIVE_EXPORT_TOKEN_V2_EXPIRES (README: Refreshing cookies)")


def _stages_since(path, started_iso):
    """Return the stage records in `path` finished during this invocation."""
    stages = read_json(path, {})
    return {name: rec for name, rec in stages.items() if rec.get("finished", "") >= started_iso}


def verdict_of(stages):
    """Return success, refused or failed from this invocation's stage outcomes."""
    outcomes = {rec["outcome"] for rec in stages.values()}
    if "refused" in outcomes:
        return "refused"
    return "failed" if outcomes & {"failed", "error", "config"} else "success"


def exit_status_of(stages, interrupted):
    """Return the ExitStatus doit ends this invocation with, from its stage outcomes."""
    outcomes = {rec["outcome"] for rec in stages.values()}
    if interrupted or "error" in outcomes:
        return ExitStatus.BUG
    if "config" in outcomes:
        return ExitStatus.CONFIG
    return ExitStatus.REFUSED if outcomes & {"refused", "failed"} else ExitStatus.OK


def build_summary(layout, started_iso, started_monotonic, interrupted=False, final=True):
    """Collect the run's facts from the manifests and staging files into one dict."""
    stages = _stages_since(layout.stages, started_iso)
    verdict = "interrupted" if interrupted else verdict_of(stages)
    counts = read_json(layout.counts) or (read_json(layout.snapshot) or {}).get("counts")
    # Manifests of an earlier run id stay on disk; only this run's count here.
    this_run = lambda data: data if data.get("run_id") == layout.run_id else {}  # noqa: E731
    export = this_run(read_json(layout.workspace_export, {}))
    gate = this_run(read_json(layout.coverage_report, {}))
    capture = this_run(read_json(layout.api_capture, {}))
    site = site_facts(layout.site)
    published = this_run(read_json(layout.published, {})) if final else {}
    problem = next((rec["error"] for rec in stages.values() if "error" in rec), None)
    summary = {
        "run_id": layout.run_id,
        "workspace": layout.workspace,
        "started": started_iso,
        "ended": now_iso(),
        "seconds": round(time.monotonic() - started_monotonic, 3),
        "stages": {name: {"outcome": rec["outcome"], "seconds": rec["seconds"]} for name, rec in stages.items()},
        "counts": counts,
        "bytes": (counts or {}).get("bytes"),
        "export": {"strategy": export.get("strategy"), "attempts": export.get("attempts"),
                   "retries": export.get("http_retries"),
                   "fallbacks": [f["strategy"] for f in export.get("fallbacks", [])]} if export else None,
        # How far the public-API capture got: an unfinished one continues at the next run.
        "json_capture": {key: capture.get(key) for key in ("complete", "objects", "expected", "runs")}
        if capture else None,
        "gate": gate.get("verdict"),
        "accepted_drop": bool(gate.get("accepted_drop")),
        "commit": published.get("commit"),
        "files_left_out": published.get("skipped_large", []),
        "files_in_lfs": published.get("lfs", []),
        "remote_check": _remote_check(published.get("remote_check")),
        "broken_links": len(site.get("broken_links", [])) if site else None,
        "verdict": verdict,
        "exit_status": int(exit_status_of(stages, interrupted)),
        "error": problem,
    }
    summary["summary"] = one_line(summary)
    return summary


def _remote_check(checked):
    """Return what this run's read-back of the remote found (None when it was not due)."""
    if not checked:
        return None
    return {"ok": checked["ok"], "problems": checked["problem_count"], "resent_git": checked["resent_git"],
            "commit": checked["commit"]}


def one_line(summary):
    """Return the human summary printed at the end of a run."""
    counts = summary.get("counts") or {}
    run = f"{summary['workspace']} {summary['run_id']}" if summary.get("workspace") else summary["run_id"]
    facts = f"{counts.get('md', 0)} pages, {counts.get('csv', 0) + counts.get('csv_all', 0)} CSV files" if counts else ""
    if summary["verdict"] == "success":
        commit = f", commit {summary['commit'][:12]}" if summary.get("commit") else ""
        return f"backup {run}: success: {facts}{commit} in {summary['seconds']:.0f} s"
    reason = (summary.get("error") or {}).get("message", "")
    return f"backup {run}: {summary['verdict']}: {reason}"[:500]


def manual_summary(layout, names):
    """Return {verdict, summary} of a manual task run alone: `doit verify: success in 3 s` or `...: failed: why`."""
    stages = _stages_since(layout.manual_stages, INVOCATION["started_iso"])
    verdict = "interrupted" if INVOCATION["interrupted"] else verdict_of(stages)
    seconds = time.monotonic() - INVOCATION["started_monotonic"]
    reason = next((rec["error"]["message"] for rec in stages.values() if "error" in rec), "")
    what = "doit " + " ".join(names)
    line = f"{what}: {verdict} in {seconds:.0f} s" if verdict == "success" else f"{what}: {verdict}: {reason}"
    return {"verdict": verdict, "summary": line[:500]}


def write_summary(layout, summary):
    """Write run_summary.json atomically."""
    write_json_atomic(layout.run_summary, summary)
