"""Write ZIPs shaped like Notion's export: a tree as a wrapper with one Part, or stored wrappers of downloads."""
import contextlib
import os
import uuid
import zipfile
from pathlib import Path

from lib.archive.wrapper import PART_RE

CHUNK = 1 << 20


def zip_tree_as_export(source_dir, dest_zip):
    """Zip `source_dir` as Export-<uuid>-Part-1.zip inside a wrapper at `dest_zip` (temp name, then rename)."""
    source_dir, dest_zip = Path(source_dir), Path(dest_zip)
    export = f"Export-{uuid.uuid4()}"
    part = dest_zip.with_name(f"{export}-Part-1.zip")
    with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as shard:
        for dirpath, dirnames, filenames in os.walk(source_dir):
            dirnames.sort()
            for name in sorted(filenames):
                full = Path(dirpath) / name
                shard.write(full, f"{export}/{full.relative_to(source_dir).as_posix()}")
    tmp = dest_zip.with_name(dest_zip.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as wrapper:
        wrapper.write(part, part.name)
    part.unlink()
    os.replace(tmp, dest_zip)
    return dest_zip


def write_stored_wrapper(target, members):
    """Write `target` as a ZIP of stored members [(name, size, open_member)], streamed, via a temp name then rename."""
    target = Path(target)
    tmp = target.with_name(target.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED, allowZip64=True) as wrapper:
        for name, size, open_member in members:
            info = zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0))
            info.file_size = size
            with open_member() as src, wrapper.open(info, "w", force_zip64=size > zipfile.ZIP64_LIMIT) as out:
                for block in iter(lambda: src.read(CHUNK), b""):
                    out.write(block)
    os.replace(tmp, target)
    return target


def _inner_parts(archive):
    """The `*-Part-N.zip` members of a wrapper in shard order, or None when `archive` is not such a wrapper."""
    infos = [info for info in archive.infolist() if not info.is_dir()]
    matches = [(PART_RE.match(info.filename), info) for info in infos]
    if not infos or not all(match and "/" not in info.filename for match, info in matches):
        return None
    return [info for match, info in sorted(matches, key=lambda pair: int(pair[0].group("n")))]


def assemble_parts(target, downloads, prefix):
    """Write `target` as a wrapper of `<prefix>-Part-<n>.zip` shards from downloaded ZIPs, in order; return n.

    A download that is itself a wrapper of Part zips gives its parts; any other ZIP is one part (its entries,
    under `Export-<uuid>/` or not, are what shard_expand merges)."""
    with contextlib.ExitStack() as stack:
        members = []
        for path in map(Path, downloads):
            archive = stack.enter_context(zipfile.ZipFile(path))
            parts = _inner_parts(archive)
            if parts is None:
                members.append((path.stat().st_size, lambda path=path: open(path, "rb")))
            else:
                members += [(info.file_size, lambda info=info, archive=archive: archive.open(info)) for info in parts]
        write_stored_wrapper(target, [(f"{prefix}-Part-{n}.zip", size, opener)
                                      for n, (size, opener) in enumerate(members, 1)])
    return len(members)
