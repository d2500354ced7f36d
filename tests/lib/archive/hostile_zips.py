"""Builders for real ZIP files, Notion-shaped exports and a corpus of hostile or broken archives."""
import io
import stat
import struct
import zipfile
import zlib

EXPORT_ROOT = "Export-b8f52cdf-c19e-4827-8fd2-5385108bebd6"
DOS_TIME, DOS_DATE = (10 << 11) | (30 << 5), ((2025 - 1980) << 9) | (11 << 5) | 18  # 2025-11-18 10:30:00


def raw_zip(entries):
    """Return ZIP bytes written field by field, so every header value can lie.

    Each entry is a dict: name (bytes), data (bytes), and optional method (0/8), flags, crc, size (declared
    uncompressed), create_system, external_attr, offset_of (index of an earlier entry whose local header
    this central record points at), extra (bytes, in both headers).
    """
    out, central, offsets = io.BytesIO(), [], []
    for entry in entries:
        name, data = entry["name"], entry.get("data", b"")
        method = entry.get("method", 8)
        packed = data
        if method == 8:
            comp = zlib.compressobj(9, zlib.DEFLATED, -15)
            packed = comp.compress(data) + comp.flush()
        crc = entry.get("crc", zlib.crc32(data))
        size = entry.get("size", len(data))
        flags, extra = entry.get("flags", 0), entry.get("extra", b"")
        if "offset_of" in entry:
            offset = offsets[entry["offset_of"]]
            packed_len = entries[entry["offset_of"]]["_packed"]
        else:
            offset = out.tell()
            out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, method, DOS_TIME, DOS_DATE, crc,
                                  len(packed), min(size, 0xFFFFFFFF), len(name), len(extra)) + name + extra + packed)
            packed_len = len(packed)
        entry["_packed"] = packed_len
        offsets.append(offset)
        if size >= 0xFFFFFFFF:  # zip64: the real size goes in extra field 1
            extra, size = extra + struct.pack("<HHQ", 1, 8, size), 0xFFFFFFFF
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, (entry.get("create_system", 0) << 8) | 45,
                                   45, flags, method, DOS_TIME, DOS_DATE, crc, packed_len, size, len(name),
                                   len(extra), 0, 0, 0, entry.get("external_attr", 0), offset) + name + extra)
    start = out.tell()
    for record in central:
        out.write(record)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), out.tell() - start, start, 0))
    return out.getvalue()


class _NoFlagInfo(zipfile.ZipInfo):
    """An entry whose UTF-8 name is stored without the UTF-8 flag, as some of Notion's exports do."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("utf-8"), self.flag_bits & ~0x800


def zip_bytes(files, prefix="", method=zipfile.ZIP_DEFLATED, utf8_flag=True):
    """Return a ZIP (made by zipfile) of {name: bytes}, names under prefix (UTF-8 names unflagged on request)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in files.items():
            info = (zipfile.ZipInfo if utf8_flag else _NoFlagInfo)(prefix + name, date_time=(2025, 11, 18, 10, 30, 0))
            info.compress_type = method
            zf.writestr(info, data)
    return buf.getvalue()


def notion_wrapper(parts, root=EXPORT_ROOT, extra=None, utf8_flag=True):
    """Return a wrapper ZIP whose members are `<root>-Part-N.zip`, each holding {name: bytes} under `<root>/`."""
    members = {f"{root}-Part-{n}.zip": zip_bytes(files, prefix=root + "/", utf8_flag=utf8_flag)
               for n, files in parts.items()}
    members.update(extra or {})
    return zip_bytes(members, method=zipfile.ZIP_STORED)


def sample_pages(tag="a"):
    """Return a small Notion-shaped tree: pages, a database with both CSVs, an attachment and a user ZIP."""
    return {
        f"Home {tag * 32}.md": b"# Home\n\n[Tasks](Home/Tasks%20" + tag.encode() * 32 + b".csv)\n",
        f"Home/Tasks {tag * 31}1.csv": "\ufeffName,Status\nWrite,Done\n".encode(),
        f"Home/Tasks {tag * 31}1_all.csv": "\ufeffName,Status,Owner\nWrite,Done,Me\n".encode(),
        f"Home/Tasks/Write {tag * 31}2.md": b"# Write\n\nStatus: Done\n",
        "Home/diagram.png": bytes(range(256)) * 8,
        "Home/user-archive.zip": zip_bytes({"inside.txt": b"not to be expanded"}),
        "index.html": b"<html><body>Workspace name: Demo</body></html>",
    }


SYMLINK_ATTR = (stat.S_IFLNK | 0o777) << 16


def hostile_cases():
    """Return {case: (zip bytes, entry name the refusal must mention, Limits kwargs)} for every refusal."""
    ok = {"name": b"ok 0123456789abcdef0123456789abcdef.md", "data": b"# ok\n"}
    bomb = b"\0" * (6 << 20)
    long_path = "/".join(["d" * 200] * 20) + "/deep.md"
    cases = {
        "absolute": ([ok, {"name": b"/etc/cron.d/evil"}], "/etc/cron.d/evil", {}),
        "dotdot": ([ok, {"name": b"pages/../../evil.md"}], "pages/../../evil.md", {}),
        "backslash_dotdot": ([ok, {"name": b"..\\..\\evil.md"}], "..\\\\..\\\\evil.md", {}),
        "drive_letter": ([ok, {"name": b"C:/Windows/evil.md"}], "C:/Windows/evil.md", {}),
        "unc_path": ([ok, {"name": b"\\\\server\\share\\evil.md"}], "server", {}),
        "symlink": ([ok, {"name": b"link", "data": b"/etc/passwd", "method": 0, "create_system": 3,
                          "external_attr": SYMLINK_ATTR}], "link", {}),
        "fifo": ([ok, {"name": b"pipe", "create_system": 3, "external_attr": (stat.S_IFIFO | 0o644) << 16}],
                 "pipe", {}),
        "duplicate": ([ok, {"name": b"dup.md", "data": b"1"}, {"name": b"dup.md", "data": b"2"}], "dup.md", {}),
        "duplicate_after_dot": ([{"name": b"./x.md", "data": b"1"}, {"name": b"x.md", "data": b"2"}], "x.md", {}),
        "path_too_long": ([ok, {"name": long_path.encode()}], "dddd", {}),
        "too_deep": ([ok, {"name": ("a/" * 1000 + "x.md").encode()}], "1000 folders deep", {}),
        "ratio_bomb": ([ok, {"name": b"bomb.bin", "data": bomb}], "bomb.bin", {}),
        "total_size": ([ok, {"name": b"big.bin", "data": b"x" * 5000}], "big.bin", {"max_total_bytes": 4000}),
        "too_many_entries": ([{"name": f"f{i}.md".encode()} for i in range(5)], "5 entries", {"max_entries": 4}),
        "crc_error": ([ok, {"name": b"bad.md", "data": b"hello world", "crc": 1234}], "bad.md", {}),
        "size_lie": ([ok, {"name": b"lie.md", "data": b"y" * 5000, "size": 10}], "lie.md", {}),
        "encrypted": ([ok, {"name": b"secret.md", "data": b"x", "flags": 1}], "secret.md", {}),
        "unknown_method": ([ok, {"name": b"odd.md", "data": b"x", "method": 99}], "odd.md", {}),
        "overlap": ([ok, {"name": b"big.md", "data": b"z" * 100_000}, {"name": b"again.md", "size": 100_000,
                     "offset_of": 1, "crc": zlib.crc32(b"z" * 100_000)}], "again.md", {}),
    }
    return {case: (raw_zip(entries), needle, limits) for case, (entries, needle, limits) in cases.items()}


def broken_files():
    """Return {case: (bytes, text the refusal must mention)} for files that are not usable ZIPs."""
    good = zip_bytes(sample_pages())
    return {
        "not_a_zip": (b"<!DOCTYPE html><html>Access denied</html>", "not a ZIP"),
        "empty_file": (b"", "not a ZIP"),
        "truncated": (good[: len(good) // 2], "truncated"),
        "truncated_tail": (good[:-10], "truncated"),
    }
