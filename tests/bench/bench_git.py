"""Benchmark: snapshot commits with lib.git.commit_snapshot vs `git add -A && git commit` on the same trees.

Run: /work/venv/bin/python -m tests.bench.bench_git [--small] [--workdir DIR]
Prints one JSON object: times, ratios to git, our peak RSS (VmHWM, which includes mmapped pack pages)
and sampled peak anonymous memory, the pack and push times.
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.common import ANON_SAMPLER

ROOT = Path(__file__).resolve().parents[2]
BRANCH = "notion-backups"
WORDS = ("notion page backup table link heading list item project meeting notes task owner status due "
         "review draft final quarterly roadmap design spec api user team weekly sync").split()

OURS = ANON_SAMPLER + """
import json, sys, time, logging
logging.basicConfig(level=logging.WARNING)
from lib.git.commit_snapshot import snapshot_directory, open_repo, pack_loose_objects
action, repo, src = sys.argv[1:4]
t = time.perf_counter()
if action == 'snapshot':
    result = snapshot_directory(repo, src, 'notion-backups', 'bench', pack_threshold=None)
elif action == 'pack':
    with open_repo(repo) as r:
        result = {'packed': pack_loose_objects(r, threshold=0)}
elif action == 'push':
    from lib.git.remote import push_branch
    result = push_branch(repo, src, 'notion-backups')
elif action == 'fetch':
    from lib.git.remote import fetch_branch
    result = fetch_branch(repo, src, 'notion-backups')
else:
    from lib.git.restore import restore_from_tip
    result = restore_from_tip(repo, 'notion-backups', src)
elapsed = time.perf_counter() - t
peak = int([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])
print(json.dumps({'seconds': elapsed, 'peak_mib': peak / 1024, 'anon_mib': anon[0] / 1024, 'result': result}))
"""


def page_text(rng, i, edit=0):
    lines = [f"# Page {i} {edit}", ""]
    while sum(len(line) for line in lines) < rng.randint(3000, 6600):
        lines.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20))) + ".")
        if rng.random() < 0.2:
            lines.append(f"- [{rng.choice(WORDS)}](Other%20{rng.randint(0, 9999)}.md)")
    return "\n".join(lines) + "\n"


def generate(tree, files, edit_round=0):
    """Write a snapshot tree as publish commits it (official/ and manifests/snapshot.json): 99 % Markdown
    (~4.8 KB), 1 % binaries (1.5 MB); edit_round > 0 changes 1 %."""
    binaries = max(1, files // 100)
    (tree / "manifests").mkdir(parents=True, exist_ok=True)
    (tree / "manifests" / "snapshot.json").write_text(json.dumps({"round": edit_round}) + "\n")
    changed = set(random.Random(edit_round).sample(range(files), files // 100)) if edit_round else set()
    for i in range(files):
        rng = random.Random(i)
        folder = tree / "official" / f"Workspace {i % 37}" / f"Section {i % 7}"
        folder.mkdir(parents=True, exist_ok=True)
        edit = edit_round if i in changed else 0
        if i < binaries:
            data = rng.randbytes(1_500_000)
            if edit:
                data = data[:-16] + random.Random(edit * 7919 + i).randbytes(16)
            (folder / f"attachment {i}.bin").write_bytes(data)
        else:
            (folder / f"Page {i} {i:032x}.md").write_text(page_text(rng, i, edit))
    return len(changed)


def run_ours(action, repo, src):
    out = subprocess.run([sys.executable, "-c", OURS, action, str(repo), str(src)], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.splitlines()[-1])


def run_git(git_dir, tree, message):
    env = dict(os.environ, GIT_DIR=str(git_dir), GIT_WORK_TREE=str(tree), GIT_AUTHOR_NAME="b",
               GIT_AUTHOR_EMAIL="b@b", GIT_COMMITTER_NAME="b", GIT_COMMITTER_EMAIL="b@b", GIT_CONFIG_NOSYSTEM="1")
    started = time.perf_counter()
    subprocess.run(["sh", "-c", f"git add -A && git commit -q -m '{message}'"], env=env, check=True,
                   capture_output=True)
    elapsed = time.perf_counter() - started
    tree_id = subprocess.run(["git", "rev-parse", "HEAD^{tree}"], env=env, check=True, capture_output=True,
                             text=True).stdout.strip()
    return elapsed, tree_id


def median(values):
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="1,000 files instead of 10,000")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per measurement (median reported)")
    parser.add_argument("--workdir", help="where to build the trees (default: a temp dir, removed after)")
    args = parser.parse_args()
    files = 1000 if args.small else 10000
    work = Path(args.workdir or tempfile.mkdtemp(prefix="bench-git-"))
    tree, ours_repo, git_dir, bare = work / "tree", work / "ours.git", work / "ref.git", work / "remote.git"
    try:
        shutil.rmtree(work / "tree", ignore_errors=True)
        generate(tree, files)
        size = sum(f.stat().st_size for f in tree.rglob("*") if f.is_file())
        # The machine is shared: repeat each measurement, alternate who goes first, report medians.
        fulls, git_fulls, same = [], [], True
        for round_no in range(args.repeat):
            for path in (ours_repo, git_dir, bare):
                shutil.rmtree(path, ignore_errors=True)
            subprocess.run(["git", "init", "-q"], check=True,
                           env=dict(os.environ, GIT_DIR=str(git_dir), GIT_WORK_TREE=str(tree)))
            subprocess.run(["sync"], check=True)
            if round_no % 2:
                git_s, git_tree = run_git(git_dir, tree, "full")
                full = run_ours("snapshot", ours_repo, tree)
            else:
                full = run_ours("snapshot", ours_repo, tree)
                git_s, git_tree = run_git(git_dir, tree, "full")
            fulls.append(full)
            git_fulls.append(git_s)
            same = same and full["result"]["tree"] == git_tree
        subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
        push_full = run_ours("push", ours_repo, bare)
        pack = run_ours("pack", ours_repo, tree)   # what the next run's snapshot does first (threshold)
        incrs, git_incrs, changed = [], [], 0
        for round_no in range(args.repeat):
            changed = generate(tree, files, edit_round=round_no + 1)   # re-extract: all rewritten, 1 % new
            subprocess.run(["sync"], check=True)
            if round_no % 2:
                git_s, git_tree = run_git(git_dir, tree, f"incremental {round_no}")
                incr = run_ours("snapshot", ours_repo, tree)
            else:
                incr = run_ours("snapshot", ours_repo, tree)
                git_s, git_tree = run_git(git_dir, tree, f"incremental {round_no}")
            incrs.append(incr)
            git_incrs.append(git_s)
            same = same and incr["result"]["tree"] == git_tree
        push_incr = run_ours("push", ours_repo, bare)
        # A fresh CI runner: fetch the branch from a remote that git has repacked with deltas, then restore.
        subprocess.run(["git", "--git-dir", str(bare), "gc", "-q"], check=True)
        fresh, restored = work / "fresh.git", work / "restored"
        shutil.rmtree(fresh, ignore_errors=True)
        shutil.rmtree(restored, ignore_errors=True)
        fetch = run_ours("fetch", fresh, bare)
        restore = run_ours("restore", fresh, restored)
        ours_full, git_full = median([f["seconds"] for f in fulls]), median(git_fulls)
        ours_incr, git_incr = median([i["seconds"] for i in incrs]), median(git_incrs)
        report = {
            "files": files, "bytes": size, "changed_files_per_round": changed, "repeat": args.repeat,
            "same_tree_as_git": same,
            "full": {"ours_s": round(ours_full, 2), "git_s": round(git_full, 2),
                     "ratio": round(ours_full / git_full, 2),
                     "ours_samples": [round(f["seconds"], 2) for f in fulls],
                     "git_samples": [round(g, 2) for g in git_fulls],
                     "ours_peak_mib": round(max(f["peak_mib"] for f in fulls), 1),
                     "ours_peak_anon_mib": round(max(f["anon_mib"] for f in fulls), 1)},
            "incremental": {"ours_s": round(ours_incr, 2), "git_s": round(git_incr, 2),
                            "ratio": round(ours_incr / git_incr, 2),
                            "ours_samples": [round(i["seconds"], 2) for i in incrs],
                            "git_samples": [round(g, 2) for g in git_incrs],
                            "ours_peak_mib": round(max(i["peak_mib"] for i in incrs), 1),
                            "ours_peak_anon_mib": round(max(i["anon_mib"] for i in incrs), 1),
                            "new_objects": incrs[-1]["result"]["new_objects"]},
            "pack_loose_after_full": {"s": round(pack["seconds"], 2), "objects": pack["result"]["packed"],
                                      "peak_mib": round(pack["peak_mib"], 1), "peak_anon_mib": round(pack["anon_mib"], 1)},
            "push_full_to_local_bare": {"s": round(push_full["seconds"], 2),
                                        "peak_mib": round(push_full["peak_mib"], 1), "peak_anon_mib": round(push_full["anon_mib"], 1)},
            "push_incremental_to_local_bare": {"s": round(push_incr["seconds"], 2),
                                               "peak_mib": round(push_incr["peak_mib"], 1), "peak_anon_mib": round(push_incr["anon_mib"], 1),
                                               "snapshots_pushed": args.repeat},
            "fetch_fresh_from_git_gc_remote": {"s": round(fetch["seconds"], 2),
                                               "peak_mib": round(fetch["peak_mib"], 1),
                                               "peak_anon_mib": round(fetch["anon_mib"], 1)},
            "restore_from_tip": {"s": round(restore["seconds"], 2), "files": restore["result"]["files"],
                                 "peak_mib": round(restore["peak_mib"], 1),
                                 "peak_anon_mib": round(restore["anon_mib"], 1)},
            "targets": {"full_ratio": 1.3, "incremental_ratio": 1.5, "peak_mib": 200},
        }
        print(json.dumps(report, indent=2))
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
