"""Notion-style ZIP writing for the fake exports: wrapper of Part-N shards, data descriptors, MS-DOS host."""
import os
import zipfile
from pathlib import Path

CHUNK = 1 << 20
DATE_TIME = (2026, 11, 1, 12, 0, 0)


class _Stream:
    """A write-only file without seek, so zipfile writes data descriptors (flag bit 3) like Notion."""

    def __init__(self, handle):
        self._handle, self._pos = handle, 0

    def write(self, data):
        self._pos += len(data)
        return self._handle.write(data)

    def tell(self):
        return self._pos

    def flush(self):
        self._handle.flush()


class _NoFlagInfo(zipfile.ZipInfo):
    """ZipInfo that stores UTF-8 names without the UTF-8 flag (a producer variant)."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("utf-8"), self.flag_bits & ~0x800


def _zinfo(name, size, utf8_flag):
    info = (zipfile.ZipInfo if utf8_flag else _NoFlagInfo)(name, DATE_TIME)
    info.compress_type, info.create_system, info.create_version, info.external_attr = zipfile.ZIP_DEFLATED, 0, 45, 0
    info.file_size = size
    return info


def _write_member(archive, name, size, data, utf8_flag, level):
    info = _zinfo(name, size, utf8_flag)
    info._compresslevel = level
    with archive.open(info, "w", force_zip64=size > zipfile.ZIP64_LIMIT) as out:
        for chunk in ([data] if isinstance(data, (bytes, bytearray)) else data):
            out.write(chunk)
    info.external_attr = 0  # zipfile forces 0o600 << 16 on open; Notion writes no Unix modes


def write_export(workspace, dest_path, export_uuid, part_max_bytes=500 << 20, utf8_flag=True,
                 root_id=None, compresslevel=6, corrupt_part=None):
    """Write Notion's wrapper of Export-<uuid>-Part-N.zip shards to dest_path; return the part names."""
    dest_path = Path(dest_path)
    dest_path.parent.mkdir(parents=True, exist_ok=True)
    parts, current, used = [], None, 0
    prefix = f"Export-{export_uuid}/"

    def open_part():
        path = dest_path.parent / f".{dest_path.name}.part{len(parts) + 1}"
        handle = open(path, "wb")
        parts.append(path)
        return handle, zipfile.ZipFile(_Stream(handle), "w")

    try:
        for rel, size, data in workspace.entries(root_id):
            if current is None or (used and used + size > part_max_bytes):
                if current:
                    current[1].close(), current[0].close()
                current, used = open_part(), 0
            _write_member(current[1], prefix + rel, size, data, utf8_flag, compresslevel)
            used += size
        if current:
            current[1].close(), current[0].close()
        if corrupt_part:
            _corrupt(parts[corrupt_part - 1])
        names = []
        with open(dest_path.with_name(dest_path.name + ".tmp"), "wb") as handle:
            with zipfile.ZipFile(_Stream(handle), "w") as wrapper:
                for n, path in enumerate(parts, 1):
                    names.append(f"Export-{export_uuid}-Part-{n}.zip")
                    with open(path, "rb") as src:
                        _write_member(wrapper, names[-1], path.stat().st_size, iter(lambda: src.read(CHUNK), b""),
                                      True, compresslevel)
        os.replace(dest_path.with_name(dest_path.name + ".tmp"), dest_path)
        return names
    finally:
        for path in parts:
            path.unlink(missing_ok=True)


def _corrupt(path):
    """Damage a part: keep its first half and overwrite the central directory area with junk."""
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.truncate(max(size // 2, 30))
        handle.seek(0, 2)
        handle.write(b"\x00garbage-not-a-central-directory\x00" * 4)


def write_unwrapped_export(workspace, dest_path, root_id=None, utf8_flag=True):
    """Write the old single-level variant: one ZIP whose entries sit at its root, no parts."""
    with open(dest_path, "wb") as handle, zipfile.ZipFile(_Stream(handle), "w") as archive:
        for rel, size, data in workspace.entries(root_id):
            _write_member(archive, rel, size, data, utf8_flag, 6)
