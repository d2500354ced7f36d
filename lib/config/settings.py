"""Every setting the tool reads: its config key, environment variable, type, default, limits and meaning."""
from dataclasses import dataclass

from lib.config import rules


@dataclass(frozen=True)
class Setting:
    """One tunable: `key` in backup.config.yaml, `env` overrides it."""

    key: str
    env: str
    kind: str  # str | int | float | bool | list | page_ids | choice | date
    default: object
    help: str
    choices: tuple = ()
    minimum: float = None
    maximum: float = None
    check: object = None  # value -> problem text or None, for rules a kind cannot say


SETTINGS = (
    Setting("notion.base_url", "NOTION_BASE_URL", "str", "https://www.notion.so",
            "internal API host (/api/v3/...)", check=rules.http_url),
    Setting("notion.notification_base_urls", "NOTION_NOTIFICATION_BASE_URLS", "list",
            ["https://www.notion.so", "https://app.notion.com"],
            "hosts asked for the export notification, in order", check=rules.http_urls),
    Setting("notion.file_hosts", "NOTION_FILE_HOSTS", "list", ["file.notion.so", "file.notion.com"],
            "the only hosts that receive the file_token cookie on download", check=rules.host_names),
    Setting("notion.api_base_url", "NOTION_API_BASE_URL", "str", "https://api.notion.com",
            "public API host", check=rules.http_url),
    Setting("notion.connect_budget_seconds", "NOTION_CONNECT_BUDGET_SECONDS", "float", 30.0,
            "how long a Notion host may stay unreachable (connection refused, DNS failure, connect timeout) "
            "before the run gives up; 429 and 5xx answers keep their own retries", minimum=1, maximum=600),
    Setting("notion.admin_api_base_url", "NOTION_ADMIN_API_BASE_URL", "str", "https://api.notion.com/admin",
            "Admin API host (the workspace export of Enterprise plans)", check=rules.http_url),
    Setting("notion.admin_user_email", "NOTION_ADMIN_USER_EMAIL", "str", "",
            "the Admin API export runs on behalf of this workspace member (on_behalf_of_user_email)",
            check=rules.optional_email),
    Setting("export.mode", "OFFICIAL_EXPORT_MODE", "choice", "workspace",
            "workspace (one export of the whole space) or roots (one export per root page)",
            choices=("workspace", "roots")),
    Setting("export.root_page_ids", "OFFICIAL_EXPORT_ROOT_PAGE_IDS", "page_ids", [],
            "roots mode: page ids or URLs; empty = backups/manifests/roots.json"),
    Setting("export.source", "OFFICIAL_EXPORT_SOURCE", "choice", "auto",
            "admin_api (Notion's Admin API export, Enterprise), official_zip (Notion's export through the "
            "browser cookie) or public_api (manual fallback from the public-API capture); auto = admin_api "
            "when NOTION_ADMIN_TOKEN is set, else official_zip",
            choices=("auto", "admin_api", "official_zip", "public_api")),
    Setting("export.time_zone", "OFFICIAL_EXPORT_TIME_ZONE", "str", "UTC",
            "IANA time zone Notion uses for dates in the export", check=rules.time_zone),
    Setting("export.include_comments", "OFFICIAL_EXPORT_COMMENTS", "bool", False,
            "ask Notion to include comments in the export"),
    Setting("export.retryable_failure_retries", "OFFICIAL_WORKSPACE_RETRYABLE_FAILURE_RETRIES", "int", 1,
            "fresh export tasks after Notion answers retryable_failure", minimum=0,
            maximum=10),
    Setting("export.poll_timeout_seconds", "OFFICIAL_WORKSPACE_POLL_TIMEOUT_SECONDS", "float", 10800,
            "per-attempt budget for Notion's server-side export", minimum=0.1,
            maximum=7 * 86400),
    Setting("export.poll_interval_seconds", "OFFICIAL_WORKSPACE_POLL_INTERVAL_SECONDS", "float", 2.0,
            "seconds between getTasks polls", minimum=0, maximum=3600),
    Setting("export.notification_interval_seconds", "OFFICIAL_WORKSPACE_NOTIFICATION_INTERVAL_SECONDS",
            "float", 5.0, "seconds between notification-log polls", minimum=0, maximum=3600),
    Setting("export.http_timeout_seconds", "OFFICIAL_EXPORT_HTTP_TIMEOUT_SECONDS", "float", 60.0,
            "timeout of one HTTP request to Notion", minimum=1, maximum=3600),
    Setting("export.http_retries", "OFFICIAL_EXPORT_HTTP_RETRIES", "int", 8,
            "retries of one request to Notion on 429, 5xx and dropped connections", minimum=0, maximum=100),
    Setting("export.retry_backoff_seconds", "OFFICIAL_EXPORT_RETRY_BACKOFF_SECONDS", "float", 1.0,
            "first wait before such a retry (doubling, each wait drawn between half and all of it; Notion's "
            "Retry-After wins)", minimum=0, maximum=3600),
    Setting("export.retry_backoff_max_seconds", "OFFICIAL_EXPORT_RETRY_BACKOFF_MAX_SECONDS", "float", 60.0,
            "longest wait between two retries", minimum=0, maximum=3600),
    Setting("export.clock_skew_seconds", "OFFICIAL_EXPORT_CLOCK_SKEW_SECONDS", "float", 30.0,
            "an export notification may start this much before our enqueue time (clock skew)", minimum=0,
            maximum=86400),
    Setting("export.mark_notification_read", "OFFICIAL_EXPORT_MARK_NOTIFICATION_READ", "bool", True,
            "mark Notion's export-completed notification read so daily runs do not pile them up"),
    Setting("export.ui_fallback", "OFFICIAL_WORKSPACE_UI_FALLBACK", "bool", True,
            "fall back to the Playwright UI download when the API path stalls"),
    Setting("export.ui_timeout_seconds", "OFFICIAL_WORKSPACE_UI_TIMEOUT_SECONDS", "int", 2400,
            "budget of the browser fallback", minimum=1, maximum=86400),
    Setting("unpack.max_total_gb", "UNPACK_MAX_TOTAL_GB", "float", 64.0,
            "refuse an export that unpacks to more than this, every archive inside it counted (zip-bomb guard)",
            minimum=0.001, maximum=1e6),
    Setting("unpack.max_ratio", "UNPACK_MAX_RATIO", "float", 250.0,
            "refuse an entry whose compression ratio exceeds this (zip-bomb guard)", minimum=1,
            maximum=1e6),
    Setting("unpack.max_entries", "UNPACK_MAX_ENTRIES", "int", 1000000,
            "refuse an export with more entries than this, over every archive inside it", minimum=1,
            maximum=10**9),
    Setting("quality.min_md_count", "QUALITY_MIN_MD_COUNT", "int", 100,
            "minimum Markdown pages a snapshot must have", minimum=0),
    Setting("quality.min_csv_count", "QUALITY_MIN_CSV_COUNT", "int", 10,
            "minimum CSV files (databases) a snapshot must have", minimum=0),
    Setting("quality.max_drop_percent", "QUALITY_MAX_DROP_PERCENT", "float", 60.0,
            "largest allowed drop against the previous snapshot (pages, CSVs, attachments, bytes)",
            minimum=0, maximum=100),
    Setting("quality.accept_drop", "QUALITY_ACCEPT_DROP", "bool", False,
            "accept a larger drop once (for a legitimate mass deletion); recorded in the manifests"),
    Setting("retention.zip_keep_days", "OFFICIAL_ZIP_KEEP_DAYS", "int", 30,
            "days to keep downloaded ZIPs and staging runs", minimum=0, maximum=36500),
    Setting("retention.zip_keep_gb", "OFFICIAL_ZIP_KEEP_GB", "float", 0.0,
            "GB of downloaded ZIPs kept once promoted, newest first, whatever the days say (their files are in git "
            "too); "
            "over it a promoted run's ZIP is spent: its data dropped, its name kept so the run stays complete",
            minimum=0, maximum=1e6),
    Setting("publish.remote", "BACKUP_GIT_REMOTE", "str", "origin",
            "remote name, URL or local path to pull from and push to; empty = local only", check=rules.git_remote),
    Setting("publish.branch", "BACKUP_BRANCH", "str", "notion-backups",
            "the snapshot branch: a branch of its own, never one with your project's commits or one checked out",
            check=rules.branch_name),
    Setting("publish.max_file_mb", "BACKUP_MAX_FILE_MB", "float", 95.0,
            "files larger than this are left out of the commit and listed (GitHub rejects > 100 MiB)",
            minimum=0.01, maximum=1e6),
    Setting("publish.lfs", "BACKUP_LFS", "bool", False,
            "store files over publish.max_file_mb in Git LFS (pointer committed, object uploaded to the remote's LFS "
            "store) instead of leaving them out"),
    Setting("publish.lfs_url", "BACKUP_LFS_URL", "str", "",
            "Git LFS endpoint; empty = the remote's own (https://<host>/<path>.git/info/lfs for https, ssh and "
            "host:path remotes, a local remote's lfs/ folder); on another host it needs BACKUP_LFS_TOKEN and https",
            check=rules.lfs_url),
    Setting("publish.verify_remote", "BACKUP_VERIFY_REMOTE", "choice", "weekly",
            "after the push, read the tip back from the remote (every tree, a sample of files, every LFS object's "
            "presence), alert on anything missing and send again what this run holds: daily, weekly or off",
            choices=("daily", "weekly", "off")),
    Setting("publish.committer_name", "BACKUP_COMMITTER_NAME", "str", "notion-git-backup",
            "committer name of snapshot commits", check=rules.identity_name),
    Setting("publish.committer_email", "BACKUP_COMMITTER_EMAIL", "str", "notion-git-backup@localhost",
            "committer e-mail of snapshot commits", check=rules.email),
    Setting("render.workers", "RENDER_WORKERS", "int", 2, "processes used for a full render", minimum=1, maximum=64),
    Setting("render.history_days", "RENDER_HISTORY_DAYS", "int", 90,
            "days of snapshots the site shows as page history (earlier versions, diffs) and deleted pages; "
            "0 = no history in the site (doit history reads every snapshot either way)", minimum=0, maximum=36500),
    Setting("capture.json_capture", "NOTION_JSON_CAPTURE", "choice", "auto",
            "public-API JSON capture in the daily run: off, daily, weekly; auto = weekly with a key",
            choices=("auto", "off", "daily", "weekly")),
    Setting("capture.notion_version", "NOTION_API_VERSION", "str", "2026-12-01",
            "Notion-Version header of the public API; tested: 2025-09-03, 2026-03-11, 2026-12-01 (older refused)",
            check=rules.api_version),
    Setting("capture.requests_per_second", "NOTION_API_REQUESTS_PER_SECOND", "float", 3.0,
            "average request rate towards the public API", minimum=0.1, maximum=10000),
    Setting("capture.max_retries", "NOTION_API_MAX_RETRIES", "int", 8,
            "public API: retries on 429, 5xx, 529 and timeouts", minimum=0, maximum=100),
    Setting("capture.timeout_seconds", "NOTION_API_TIMEOUT_SECONDS", "float", 60.0,
            "public API: timeout of one request", minimum=1, maximum=3600),
    Setting("capture.backoff_seconds", "NOTION_API_BACKOFF_SECONDS", "float", 1.0,
            "public API: backoff base when Notion sends no Retry-After", minimum=0, maximum=3600),
    Setting("capture.backoff_max_seconds", "NOTION_API_BACKOFF_MAX_SECONDS", "float", 60.0,
            "public API: longest wait between two retries", minimum=0, maximum=3600),
    Setting("capture.progress_seconds", "NOTION_API_PROGRESS_SECONDS", "float", 15.0,
            "public API: seconds between progress lines", minimum=1, maximum=86400),
    Setting("capture.comments", "NOTION_CAPTURE_COMMENTS", "choice", "pages",
            "comments to capture: off, pages (one request per page) or blocks (one per block: about twice the "
            "requests)", choices=("off", "pages", "blocks")),
    Setting("capture.budget_minutes", "NOTION_JSON_CAPTURE_BUDGET_MINUTES", "float", 300.0,
            "minutes a run may last before the JSON capture stops (the daily run's counted from its start, so the "
            "snapshot is published within them); it keeps what it fetched, the next run continues, the last complete "
            "capture stays the published one", minimum=0.01,
            maximum=100000),
    Setting("capture.restore_markdown_bodies", "NOTION_RESTORE_MARKDOWN_BODIES", "bool", True,
            "restore: send a page's body with the page as Notion-flavored Markdown where nothing in it needs a block "
            "id afterwards (about half the requests); false = append every body block by block"),
    Setting("run.run_id", "BACKUP_RUN_ID", "str", "",
            "run id (letters, digits, - _ . ; no leading dot); empty = today's UTC date", check=rules.run_id),
    Setting("run.backups_dir", "BACKUP_DIR", "str", "backups",
            "where snapshots live: a folder of its own inside the project (never the project, nor one holding "
            ".git or .env)"),
    Setting("run.workspace", "BACKUP_WORKSPACE", "str", "",
            "with workspaces: below, back up this one only; empty = each in turn (make backup WORKSPACE=name)"),
    Setting("notify.urls", "BACKUP_NOTIFY_URLS", "list", [],
            "apprise URLs alerted on failure, refusal, or a token_v2 about to expire", check=rules.apprise_urls),
    Setting("notify.token_v2_expires", "NATIVE_EXPORT_TOKEN_V2_EXPIRES", "date", "",
            "token_v2's expiry as the browser's cookie list shows it (YYYY-MM-DD); empty = unknown"),
    Setting("notify.token_v2_warn_days", "BACKUP_NOTIFY_TOKEN_WARN_DAYS", "int", 14,
            "days before that expiry when each run warns and alerts", minimum=0, maximum=3650),
    Setting("browser.chromium_path", "CHROMIUM_PATH", "str", "",
            "browser for the UI fallback; empty = Playwright's own, else /usr/bin/chromium",
            check=rules.path_text),
    Setting("ci.free_disk", "BACKUP_CI_FREE_DISK", "bool", False,
            "GitHub Actions: free disk on the runner before this workspace's backup (removes preinstalled "
            "toolchains a backup never uses: tens of GB; the job summary says how much)"),
)

# Secrets come only from the environment (or .env), never from backup.config.yaml.
SECRETS = {
    "NATIVE_EXPORT_TOKEN_V2": "Notion token_v2 cookie (required)",
    "NATIVE_EXPORT_FILE_TOKEN": "Notion file_token cookie; harvested from Set-Cookie when empty",
    "NOTION_SPACE_ID": "workspace id, dashed or 32-hex (required; roots mode sends it with every exportBlock)",
    "NOTION_API_KEY": "integration token for the public-API capture and restore",
    "NOTION_ADMIN_TOKEN": "Admin API organization bot token with the scope workspace:export (Enterprise); "
                          "selects the Admin API export",
    "BACKUP_PUSH_TOKEN": "HTTPS push credential for the snapshot branch",
    "GITHUB_TOKEN": "used as the push credential when BACKUP_PUSH_TOKEN is empty",
    "BACKUP_LFS_TOKEN": "Git LFS credential of a BACKUP_LFS_URL on another host than the remote's (the push token "
                        "goes to the remote's own host only); needs an https URL",
}

BY_KEY = {setting.key: setting for setting in SETTINGS}
