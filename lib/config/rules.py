"""What a setting's or secret's value must look like: each rule returns the problem as text, or None."""
import datetime
import logging
import os
import re
import zoneinfo
from urllib.parse import urlsplit

from dulwich.refs import check_ref_format

from lib.core.layout import JSON, MANIFESTS, OFFICIAL, SITE

RUN_ID = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
BLANK_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")
API_VERSION_MIN = "2025-09-03"
REMOTE_SCHEMES = ("https", "http", "ssh", "git", "file")
# Folders of the project the backup folder may never be, or sit in: git's, doit's state, the virtualenv.
PROJECT_PRIVATE = (".git", ".doit", ".venv")
# What the backup folder holds: these (and their .new/.old siblings), and dot-names (.staging, journals, temp
# files, a desktop's .DS_Store), but never a .git or a .env: a folder holding anything else is not its own.
OURS = (OFFICIAL, SITE, MANIFESTS, JSON)
NEVER = (".git", ".env")


def http_url(value):
    """An http(s) URL with a host and no credentials (a base URL of a Notion host)."""
    if not value or BLANK_OR_CONTROL.search(value):
        return "must be an http(s) URL without spaces, like https://www.notion.so"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as error:
        return f"is not a valid URL ({error})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"must be an http(s) URL with a host, like https://www.notion.so, not {value!r}"
    if parts.username or parts.password:
        return "must not carry a user name or password"
    return None


def http_urls(values):
    """A non-empty list of http(s) base URLs."""
    if not values:
        return "must list at least one http(s) URL"
    return next((f"entry {n}: {problem}" for n, problem in
                 ((n, http_url(value)) for n, value in enumerate(values, 1)) if problem), None)


def host_names(values):
    """A non-empty list of host names (host or host:port)."""
    if not values:
        return "must list at least one host name"
    for value in values:
        host = value.split("//", 1)[-1].split("/", 1)[0]
        name, _, port = host.partition(":")
        if BLANK_OR_CONTROL.search(value) or not re.fullmatch(r"[A-Za-z0-9.-]+", name or "-!") or \
                (port and not port.isdigit()):
            return f"{value!r} is not a host name (like file.notion.so or 127.0.0.1:8080)"
    return None


def lfs_url(value):
    """Empty (the remote's own LFS store), an http(s) URL with a host, or a file:/// URL."""
    if not value or value.startswith("file:///"):
        return None
    return http_url(value)


def remote_host(location):
    """Return the host (lower case) of a remote URL or scp-style `[user@]host:path`; '' for a path or a name."""
    if "://" in location:
        try:
            return (urlsplit(location).hostname or "").lower()
        except ValueError:
            return ""
    head, colon, _ = location.partition(":")
    if not colon or "/" in head or location.startswith((".", "/")):
        return ""
    return head.rpartition("@")[2].strip("[]").lower()


def is_loopback(host):
    """True for this machine's own addresses (where plain http carries nothing off the machine)."""
    return host in ("localhost", "127.0.0.1", "::1") or host.startswith("127.")


def credential_problem(url, remote, own_token):
    """Why a Git LFS endpoint must not get a credential as configured, or None: the push token goes only to
    the remote's own host over https; another host needs its own token (`own_token`) and https. Plain http
    is allowed on loopback only."""
    if not url or url.startswith("file://"):
        return None
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" and not is_loopback(host):
        return (f"{url!r} is plain {parts.scheme}: a credential would cross the network readable; "
                "use an https URL (plain http only on 127.0.0.1 / localhost)")
    if host != remote_host(remote) and not own_token:
        where = remote_host(remote) or "a local path or a remote name not found in .git/config"
        return (f"{host} is not the remote's host ({where}): the push token goes to the remote's own host "
                "only; set BACKUP_LFS_TOKEN, the LFS server's own credential")
    return None


def branch_name(value):
    """A git branch name of its own: git's ref rules, not a full ref, not HEAD, no leading dash."""
    if not value:
        return "must name a branch, like notion-backups"
    if value.startswith("refs/") or value in ("@", "HEAD", "FETCH_HEAD", "ORIG_HEAD") or value.startswith("-"):
        return f"must be a plain branch name like notion-backups, not {value!r} (no refs/ prefix, HEAD or leading -)"
    if len(value.encode()) > 200 or not check_ref_format(b"refs/heads/" + value.encode()):
        return (f"{value!r} is not a valid git branch name (no spaces, '..', '~^:?*[\\', control characters, "
                "'@{', a trailing '/' or '.', a part starting with '.' or ending in '.lock'; at most 200 bytes)")
    return None


def git_remote(value):
    """Empty (local only), a remote name, a local path, an ssh/https/git/file URL without credentials, or scp-style."""
    if not value:
        return None
    if CONTROL.search(value) or value != value.strip():
        return "must not hold control characters or surrounding spaces"
    if "://" not in value:
        return None  # a remote name, a local path or scp-style host:path: checked against the repository at start
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return "is not a valid URL"
    if parts.scheme not in REMOTE_SCHEMES:
        return f"URL scheme {parts.scheme!r} is not one git speaks here ({', '.join(REMOTE_SCHEMES)})"
    if parts.scheme != "file" and not parts.hostname:
        return f"the {parts.scheme} URL names no host"
    if parts.scheme in ("http", "https") and (parts.username or parts.password):
        return "the URL carries a user name or token: put the token in BACKUP_PUSH_TOKEN and leave the URL bare"
    if not parts.path.strip("/"):
        return "the URL names no repository path"
    return None


def run_id(value):
    """Empty (today's UTC date) or a safe token: letters, digits, '-', '_', '.', no leading dot, 100 at most."""
    if not value or RUN_ID.fullmatch(value):
        return None
    return ("must be letters, digits, '-', '_' and '.' only, not starting with '.', at most 100 characters "
            f"(it names a folder), not {value!r}")


def time_zone(value):
    """An IANA time zone name that Python's zoneinfo knows (Europe/Paris, UTC)."""
    if value == "UTC":
        return None
    # The database's files that are not zones: the machine's own link, and the POSIX default rules.
    if value not in ("localtime", "posixrules", "Factory") and value in zoneinfo.available_timezones():
        return None
    return f"must be an IANA time zone name like Europe/Paris or UTC, not {value!r}"


def identity_name(value):
    """A committer name git accepts: not empty, no '<', '>' or control characters."""
    if not value or CONTROL.search(value) or "<" in value or ">" in value:
        return f"must be a name without '<', '>' or control characters, not {value!r}"
    return None


def email(value):
    """A committer e-mail: something@somewhere, no spaces, '<', '>' or control characters."""
    if not re.fullmatch(r"[^\s<>@\x00-\x1f\x7f]+@[^\s<>@\x00-\x1f\x7f]+", value or ""):
        return f"must be an e-mail address like backup@example.com, not {value!r}"
    return None


def optional_email(value):
    """Empty, or an e-mail address as `email` says (the Admin API's member, needed only with its token)."""
    return email(value) if value else None


def api_version(value):
    """A Notion-Version date, 2025-09-03 or later (the capture reads databases as data sources)."""
    try:
        datetime.date.fromisoformat(value if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value or "") else "?")
    except ValueError:
        return f"must be a date like {API_VERSION_MIN}, not {value!r}"
    if value < API_VERSION_MIN:
        return f"must be {API_VERSION_MIN} or later (the capture reads databases as data sources)"
    return None


def apprise_urls(values):
    """Each entry an apprise URL apprise understands; only the scheme is named, the rest is a credential."""
    if not values:
        return None
    for n, url in enumerate(values, 1):
        if not re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", url):
            return f"entry {n} is not an apprise URL (scheme://...)"
    import apprise  # only when alerts are configured: apprise takes a tenth of a second to import
    logging.getLogger("apprise").setLevel(logging.CRITICAL)  # its own complaint would print the URL
    for n, url in enumerate(values, 1):
        if not apprise.Apprise().add(url):
            return f"entry {n} ({url.split('://', 1)[0]}://...) is not a URL apprise understands"
    return None


def path_text(value):
    """Empty or a path without control characters (whether it exists is told when it is needed)."""
    if value and CONTROL.search(value):
        return "must not hold control characters"
    return None


def secret_value(name, value):
    """A secret as pasted from a browser or a token page: one word of printable ASCII, the value alone."""
    if not value:
        return None
    if not value.isascii() or BLANK_OR_CONTROL.search(value):
        return "holds spaces, control or non-ASCII characters: paste the value alone"
    if value.lower().startswith(("token_v2=", "file_token=")):
        return "paste only the cookie's value, without its name and '='"
    if name.startswith("NATIVE_EXPORT") and re.search(r'[;,"\\]', value):
        return "a cookie value cannot hold ';', ',', '\"' or '\\': paste the value alone"
    return None


def backups_dir(value, root):
    """A folder of its own inside the project: not the project, not in .git/.doit/.venv, holding only backups."""
    if not value or CONTROL.search(value):
        return "must name a folder inside the project, like backups"
    root = os.path.abspath(root)
    path = os.path.normpath(os.path.join(root, value))
    inside = os.path.relpath(path, root)
    if inside == "." or inside.startswith(".." + os.sep) or inside == "..":
        return (f"must be a folder inside the project, not the project itself or outside it ({value!r}): "
                "everything in it is committed to the snapshot branch")
    first = inside.split(os.sep, 1)[0]
    if first in PROJECT_PRIVATE:
        return f"must not be inside {first}/ ({value!r})"
    real = os.path.realpath(path)
    real_root = os.path.realpath(root)
    if real == real_root or real_root.startswith(real.rstrip(os.sep) + os.sep):
        return f"{value!r} leads (through a link) to the project or a folder holding it"
    if os.path.exists(real) and not os.path.isdir(real):
        return f"{value!r} is a file, not a folder"
    found = sorted(name for name in (os.listdir(real) if os.path.isdir(real) else [])
                   if name in NEVER or not (name.startswith(".") or name.split(".")[0] in OURS))
    if found:
        return (f"{value!r} holds {', '.join(found[:5])}{' ...' if len(found) > 5 else ''}: the backup folder "
                f"must be a folder of its own, holding only {', '.join(OURS)} (it is committed whole to the "
                "snapshot branch)")
    return None
