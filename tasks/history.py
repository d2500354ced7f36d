"""history and recover: one page's versions on the snapshot branch, and one page written back as a snapshot held it."""
import logging

from lib import git
from lib.core.errors import BackupError, ConfigError
from tasks import DEEP, fetch_backup_repo, stage_action

log = logging.getLogger("history")
PAGE = {"name": "page", "long": "page", "default": None,
        "help": "page or database: its id, Notion URL (as Share → Copy link gives it) or exact title"}
HISTORY_USAGE = "usage: doit history --page PAGE [--deep]"
RECOVER_USAGE = "usage: doit recover --page PAGE [--at DATE_OR_REV] --to DIR [--deep]"
NAMES_PAGE = "the page's id, its Notion URL or its exact title"
WORDS = {"removed": "deleted", "present": "present"}   # as the site says it
IMPORT_HINT = ("to bring it back into Notion: Settings → Import → Text & Markdown, and choose the files in {dest} "
               "(or a .zip of that folder, which keeps the sub-pages and attachments together)")


def repository(cfg, layout, deep=False):
    """Return the backup repository, its branch fetched first (`deep`: all of it); offline, what is here."""
    try:
        return fetch_backup_repo(cfg, layout, 0 if deep else None)
    except BackupError as error:
        log.warning("could not fetch %s (%s): reading the snapshots this repository holds",
                    cfg["publish.branch"], error)
        return git.open_backup_repo(layout)


def history(cfg, layout, page, deep=False):
    """Log one line per version of a page, newest first: date, run, commit, change, lines, path."""
    if not page:
        raise ConfigError([f"history needs --page PAGE: {NAMES_PAGE}", HISTORY_USAGE])
    found = git.page_versions(repository(cfg, layout, deep), cfg["publish.branch"], page)
    log.info("%s (%s): %d versions on %s", found["title"], found["key"], len(found["versions"]), cfg["publish.branch"])
    for version in found["versions"]:
        lines = "" if version["kind"] == "present" else f"+{version['added']} -{version['removed']}"
        was = f" (was {version['old_path']})" if version.get("old_path") else ""
        log.info("%s  %-20s %s  %-8s %-10s %s%s", version["date"][:16].replace("T", " "), version["run_id"] or "?",
                 version["commit"][:12], WORDS.get(version["kind"], version["kind"]), lines, version["path"], was)
    first = found["first"]["date"][:10]
    if found["cut"]:
        log.info("history from %s: the older snapshots are not in this repository; %s", first, found["deeper"])
    else:
        log.info("history from %s, the first snapshot", first)
    log.info("`doit recover --page %s --at RUN_ID_DATE_OR_COMMIT --to DIR` writes a version back", found["key"])
    return {"key": found["key"], "versions": len(found["versions"]), "cut": found["cut"]}


def recover(cfg, layout, page, at, to, deep=False):
    """Write a page (its file, sub-pages, attachments, database CSVs) as snapshot `at` held it into folder `to`."""
    problems = [] if page else [f"recover needs --page PAGE: {NAMES_PAGE}"]
    problems += [] if at != "" else ["recover --at needs a value: a date (YYYY-MM-DD), a run id or a commit; "
                                     "leave --at out for the newest snapshot"]
    problems += [] if to else ["recover needs --to DIR: a new or empty folder to write the page into"]
    if problems:
        raise ConfigError(problems + [RECOVER_USAGE])
    at = at or ""   # --at left out: the newest snapshot
    repo = repository(cfg, layout, deep)
    done = git.recover_page(repo, cfg["publish.branch"], page, at, to, lfs_remote=git.lfs_remote(cfg, repo))
    for name in done["files"]:
        log.info("  %s", name)
    log.info(IMPORT_HINT.format(dest=to))
    return {"commit": done["commit"], "run_id": done["run_id"], "path": done["path"], "files": len(done["files"])}


def history_tasks(cfg, layout):
    """Manual: `doit history --page PAGE` lists the versions of one page or database."""
    return {"actions": [stage_action(layout, "history",
                                     lambda page=None, deep=False: history(cfg, layout, page, deep))],
            "params": [PAGE, DEEP], "uptodate": [False], "verbosity": 2}


def recover_tasks(cfg, layout):
    """Manual: `doit recover --page PAGE --at DATE_OR_REV --to DIR` writes one page as it was."""
    def work(page=None, at=None, to=None, deep=False):
        return recover(cfg, layout, page, at, to, deep)
    return {"actions": [stage_action(layout, "recover", work)],
            "params": [PAGE, DEEP,
                       {"name": "at", "long": "at", "default": None,
                        "help": "which snapshot: a date (YYYY-MM-DD: the last one of that day), a run id or a "
                                "commit (default: the newest)"},
                       {"name": "to", "long": "to", "default": None, "help": "folder to write into (new or empty)"}],
            "uptodate": [False], "verbosity": 2}
