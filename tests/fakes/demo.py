"""`make demo`: the whole pipeline twice against the local Notion stand-in, into a local bare remote."""
import logging
import shutil
import sys
import time

from dulwich.repo import Repo

from tests.fakes.exports import FakeWorkspace
from tests.fakes.notion_internal import FakeNotion
from tests.harness import REPO, fake_env, make_project, run_doit

log = logging.getLogger("demo")


def branch_history(remote, branch=b"refs/heads/notion-backups"):
    """Return (sha, message) of each commit of the snapshot branch in the bare remote, newest first."""
    with Repo(str(remote)) as repo:
        return [(entry.commit.id.decode()[:12], entry.commit.message.decode())
                for entry in repo.get_walker(include=[repo.refs[branch]])]


def run(label, project, env):
    """Run one backup and stop the demo when it fails."""
    log.info("%s: running doit in %s", label, project)
    started = time.monotonic()
    done = run_doit(project, env, timeout=900)
    sys.stderr.write(done.stdout + done.stderr)
    if done.returncode != 0:
        log.error("%s failed with exit code %d", label, done.returncode)
        sys.exit(done.returncode)
    log.info("%s finished in %.1f s", label, time.monotonic() - started)


def main():
    """Build the demo under ./demo and print where to look."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s demo: %(message)s", datefmt="%H:%M:%S")
    base = REPO / "demo"
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir()
    with FakeNotion(workspace=FakeWorkspace(seed=7, pages=300, databases=10)) as fake:
        project, remote = make_project(base)
        env = fake_env(fake, BACKUP_RUN_ID="demo-day-1")
        run("first backup", project, env)
        fake.set_day(1)     # a person's day: a paragraph edited, a page renamed, a row added, a page deleted
        env["BACKUP_RUN_ID"] = "demo-day-2"
        run("second backup (the workspace was edited)", project, env)
    site = project / "backups" / "site" / "index.html"
    print(f"\nSite:   {site.as_uri()}")
    print(f"        every page links its History; the snapshots: {site.with_name('_site').as_uri()}/history.html, "
          f"the deleted pages: _site/deleted.html")
    print(f"Remote: {remote} (branch notion-backups)\n")
    history = branch_history(remote)
    print("git log --oneline notion-backups:")
    for sha, message in history:
        print(f"  {sha} {message.splitlines()[0]}")
    print("\nThe second day's snapshot (git log -1 notion-backups; the site's _site/changes.html shows the same):")
    for line in history[0][1].rstrip().splitlines():
        print(f"  {line}")


if __name__ == "__main__":
    main()
