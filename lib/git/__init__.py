"""The snapshot branch in git (dulwich, no git binary): commits, remote, restore, verify, run lock."""
from lib.git.guard import branch_problems
from lib.git.lfs_remote import push_objects as push_lfs_objects
from lib.git.remote import fetch_branch, push_branch
from lib.git.partial import fetch_blobs
from lib.git.remote_check import check_remote, is_due as remote_check_due
from lib.git.repo import backup_repo_path, lfs_remote, locked_repo, open_backup_repo, push_credentials, tool_version
from lib.git.restore import restore_from_tip
from lib.git.runlock import run_lock
from lib.git.commit_snapshot import format_message, snapshot_directory
from lib.git.verify import list_snapshots, verify_branch
from lib.git.page_history import page_versions
from lib.git.recover import recover_page
from lib.git.revs import snapshot_commit
from lib.git.site_history import blob_reader, site_history

__all__ = ["branch_problems", "push_lfs_objects", "backup_repo_path", "lfs_remote", "fetch_branch", "fetch_blobs",
           "push_branch",
           "locked_repo", "open_backup_repo", "push_credentials", "tool_version", "restore_from_tip", "run_lock",
           "format_message", "snapshot_directory", "list_snapshots", "verify_branch", "page_versions", "recover_page",
           "blob_reader", "site_history", "snapshot_commit", "check_remote", "remote_check_due"]
