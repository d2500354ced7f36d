"""Nothing that looks like a real Notion or GitHub token is tracked on main, and backups never can be."""
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = re.compile(rb"v0[23]%3A[A-Za-z0-9_-]{20,}|ntn_[A-Za-z0-9]{30,}|secret_[A-Za-z0-9]{40,}|ghp_[A-Za-z0-9]{30,}")


def tracked_files():
    done = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True)
    if done.returncode != 0:  # not a checkout (a tarball): scan the source folders instead
        return [p for name in ("lib", "tasks", "tests", ".github") for p in (ROOT / name).rglob("*") if p.is_file()]
    return [ROOT / name.decode() for name in done.stdout.split(b"\0") if name]


def test_no_tracked_file_contains_a_token():
    offenders = [str(p.relative_to(ROOT)) for p in tracked_files() if p.is_file() and TOKEN.search(p.read_bytes())]
    assert offenders == []


def test_gitignore_keeps_backups_secrets_and_state_out_of_main():
    ignored = set((ROOT / ".gitignore").read_text().split())
    assert {"backups/", ".env", ".doit/", ".venv/"} <= ignored
