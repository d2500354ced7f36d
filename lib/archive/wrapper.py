"""What sits at the top of Notion's download: Part and Root ZIPs, the `Export-<uuid>/` folder, loose files."""
import os
import re
import shutil
from pathlib import Path

from lib.core.errors import ExportError, UnsafeArchive
from lib.archive.names import HINT

PART_RE = re.compile(r"^(?P<prefix>.+)-Part-(?P<n>\d+)\.zip$", re.IGNORECASE)
HEX = "[0-9a-fA-F]"
ROOT_RE = re.compile(rf"^Root-(?P<id>{HEX}{{8}}-?{HEX}{{4}}-?{HEX}{{4}}-?{HEX}{{4}}-?{HEX}{{12}})\.zip$")
EXPORT_ROOT_RE = re.compile(r"^Export-[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")


def export_root_prefix(names):
    """Return 'Export-<uuid>/' when every name in a folder sits under that one folder, else ''."""
    # Files at the archive root (an index.html, say) may sit beside the Export folder; they stay where they are.
    firsts = {n.split("/", 1)[0] for n in names if "/" in n}
    if len(firsts) == 1:
        first = firsts.pop()
        if EXPORT_ROOT_RE.match(first):
            return first + "/"
    return ""


def missing_parts(numbers):
    """Return the shard numbers absent from 1..max(numbers)."""
    present = set(numbers)
    return [n for n in range(1, max(present, default=0) + 1) if n not in present]


def is_shard(path):
    """True for a Part or Root ZIP at the wrapper root: the entries expanded rather than kept."""
    return "/" not in path and bool(PART_RE.match(path) or ROOT_RE.match(path))


def classify(wrapper, shards=None):
    """Split the wrapper root into part zips (sorted), root zips and other entries.

    `shards` maps a name to a shard still inside the download (members.InZip); the folder holds the rest.
    """
    shards = shards or {}
    parts, roots, others = {}, {}, []
    names = set(os.listdir(wrapper)) if os.path.isdir(wrapper) else set()
    for entry in sorted(names | set(shards)):
        full = shards.get(entry) or wrapper / entry
        part, root = PART_RE.match(entry), ROOT_RE.match(entry)
        if part and (entry in shards or full.is_file()):
            parts.setdefault(part.group("prefix"), []).append((int(part.group("n")), full))
        elif root and (entry in shards or full.is_file()):
            root_id = root.group("id").replace("-", "").lower()
            if root_id in roots:
                raise ExportError(f"root {root_id} appears twice at the wrapper root ({roots[root_id].name}, "
                                  f"{entry}); expected one Root-<id>.zip per root",
                                  "check OFFICIAL_EXPORT_ROOT_PAGE_IDS for duplicates")
            roots[root_id] = full
        else:
            others.append(entry)
    return parts, roots, others


def renamed_map(entries):
    """Return {path: (Notion's name, why)} for the entries an extraction renamed."""
    return {e["path"]: (e["renamed_from"], e.get("reason", "")) for e in entries if "renamed_from" in e}


def link_or_copy(src, dst):
    """Hard-link a file into the tree (cheap, keeps mtime), copying when links are impossible."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def wrapper_files(wrapper, names):
    """Return every file under the wrapper entries `names` as sorted wrapper-relative paths; no symlinks."""
    rels = []
    for name in names:
        full = wrapper / name
        if full.is_dir() and not full.is_symlink():
            for dirpath, dirnames, filenames in os.walk(full):
                dirnames.sort()
                for item in sorted(dirnames + filenames):
                    if os.path.islink(os.path.join(dirpath, item)):
                        raise UnsafeArchive(f"wrapper entry {os.path.join(dirpath, item)!r} is a symbolic link; "
                                            "expected regular files only", HINT)
                rels += [Path(dirpath, f).relative_to(wrapper).as_posix() for f in sorted(filenames)]
        elif full.is_file() and not full.is_symlink():
            rels.append(name)
        else:
            raise UnsafeArchive(f"wrapper entry {name!r} is neither a file nor a folder; expected files only", HINT)
    return rels
