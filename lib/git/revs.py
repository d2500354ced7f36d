"""Which snapshot a user means (a date, a run id or a git revision) and the line of snapshots as far as it is here."""
import datetime
import json
import re

from dulwich.object_store import tree_lookup_path
from dulwich.objectspec import parse_commit

from lib.core.errors import ConfigError
from lib.git.history import first_parent_chain
from lib.git.objects import branch_ref, open_repo, read_ref
from lib.core.layout import SNAPSHOT
from lib.core.clock import iso_of

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SUBJECT_RE = re.compile(rb"^Snapshot (.+?): ")
# What a user runs when this repository holds only the newest snapshots (a shallow fetch).
DEEPER = ("add --deep to fetch the older snapshots of {branch} (`doit history --deep`, `doit recover --deep`, "
          "`doit restore_notion --deep`)")


def run_id_of(repo, commit):
    """Return a snapshot commit's run id: from the subject our commits start with, else its snapshot.json."""
    match = SUBJECT_RE.match(commit.message)
    if match:
        return match.group(1).decode("utf-8", "replace")
    try:
        _, sha = tree_lookup_path(repo.__getitem__, commit.tree, SNAPSHOT.encode())
        return json.loads(repo[sha].as_raw_string()).get("run_id")
    except (KeyError, ValueError, AttributeError):
        return None


def unpushed_base(repo, tip, run_id, remote_tip):
    """Return where a new snapshot of run `run_id` goes: below the snapshots of that same run at the top of the
    local line that the remote does not hold (a re-run replaces them, never stacks on them), else `tip`."""
    base = tip
    while base is not None and base != remote_tip and base in repo.object_store:
        commit = repo[base]
        if run_id_of(repo, commit) != run_id:
            break
        base = commit.parents[0] if commit.parents else None
    return base


def describe(repo, commit):
    """Return {commit, date, time, run_id} of a snapshot commit."""
    return {"commit": commit.id.decode(), "date": iso_of(commit.commit_time), "time": commit.commit_time,
            "run_id": run_id_of(repo, commit)}


def parse_rev(repo, rev):
    """Return the commit a revision names; `~N` and `^N` suffixes work as in git."""
    base, suffix = re.match(r"^(.*?)((?:[~^]\d*)*)$", rev).groups()
    commit = parse_commit(repo, base.encode())
    for op, num in re.findall(r"([~^])(\d*)", suffix):
        steps = int(num or 1)
        if op == "^":
            commit = repo[commit.parents[steps - 1]] if steps else commit
            continue
        for _ in range(steps):
            commit = repo[commit.parents[0]]
    return commit


def _end_of_day(day):
    moment = datetime.datetime.combine(day, datetime.time.max, tzinfo=datetime.timezone.utc)
    return int(moment.timestamp())


def resolve_snapshot(repo, branch, spec, option="--at"):
    """Return the snapshot commit `spec` names: empty = the branch tip; a date YYYY-MM-DD = the last snapshot
    taken on or before that day (UTC); else a git revision or a run id. ConfigError (exit 3) when none fits."""
    tip = read_ref(repo, branch_ref(branch))
    if tip is None:
        raise ConfigError([f"{option}: there is no snapshot yet (branch {branch} does not exist here; "
                           "`doit pull` fetches it)"])
    spec = (spec or "").strip()
    if not spec:
        return repo[tip]
    chain, cut = first_parent_chain(repo, tip)
    if DATE_RE.match(spec):
        try:
            last = _end_of_day(datetime.date.fromisoformat(spec))
        except ValueError:
            raise ConfigError([f"{option} {spec}: not a date (YYYY-MM-DD)"]) from None
        for commit in chain:
            if commit.commit_time <= last:
                return commit
        raise ConfigError([f"{option} {spec}: no snapshot on or before that day; the first one here is of "
                           f"{iso_of(chain[-1].commit_time)[:10]}" + (f" ({DEEPER.format(branch=branch)} for the "
                                                                       "older ones)" if cut else "")])
    try:
        commit = parse_rev(repo, spec)
        if commit.id in {c.id for c in chain}:
            return commit
    except (KeyError, IndexError, ValueError):
        commit = None
    for candidate in chain:
        if run_id_of(repo, candidate) == spec:
            return candidate
    if commit is not None:
        raise ConfigError([f"{option} {spec}: commit {commit.id.decode()[:12]} is not a snapshot of {branch}"])
    raise ConfigError([f"{option} {spec}: no snapshot of {branch} has that date, revision or run id "
                       "(`doit snapshots` lists them)" + (f"; only the newest are here: {DEEPER.format(branch=branch)}"
                                                           if cut else "")])


def snapshot_commit(repo_path, branch, spec, option="--at", strict=True):
    """Return {commit, date, time, run_id} of the snapshot `spec` names (see resolve_snapshot); with `strict`
    off, a revision outside the branch's line (another branch or a tag) is taken as it is."""
    with open_repo(repo_path) as repo:
        try:
            return describe(repo, resolve_snapshot(repo, branch, spec, option))
        except ConfigError:
            if strict or not spec or DATE_RE.match(spec):
                raise
            try:
                return describe(repo, parse_rev(repo, spec))
            except (KeyError, IndexError, ValueError):
                raise ConfigError([f"{option} {spec}: not a date, run id, commit, branch or tag of {repo_path}"]) \
                    from None
