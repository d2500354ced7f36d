"""A ZIP member as a seekable file, never written out: a stored one read in place, a deflated one streamed."""
import contextlib
import io
import struct
import typing
import zipfile
import zlib
from pathlib import Path

from lib.core.errors import UnsafeArchive
from lib.archive.extract import open_zip
from lib.archive.names import HINT

BUFFER = 1 << 20
LOCAL_HEADER = struct.Struct("<4s5H3L2H")
# A nested ZIP is read at its end first (its central directory) and then from the start: a deflated member keeps
# this much of its end in memory so the directory is inflated once, not once per seek back.
TAIL = 32 << 20


class _Member(io.RawIOBase):
    """A member's bytes as a read-only, seekable raw file of `size` bytes; subclasses read them."""

    def __init__(self, size):
        super().__init__()
        self._size, self._pos = size, 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def tell(self):
        return self._pos

    def seek(self, offset, whence=io.SEEK_SET):
        self._pos = max(0, {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence] + offset)
        return self._pos


class _Window(_Member):
    """Bytes [start, start+size) of a seekable binary file: a stored member's data, read where it lies."""

    def __init__(self, base, start, size):
        super().__init__(size)
        self._base, self._start = base, start

    def readinto(self, buffer):
        want = min(len(buffer), self._size - self._pos)
        if want <= 0:
            return 0
        self._base.seek(self._start + self._pos)  # the base is shared with its own ZipFile: always seek first
        got = self._base.readinto(memoryview(buffer)[:want])
        self._pos += got or 0
        return got


class _Inflated(_Member):
    """A compressed member as a seekable file: inflated forward, its end kept in memory, restarted on a seek back."""

    def __init__(self, zf, info):
        super().__init__(info.file_size)
        self._zf, self._info = zf, info
        self._tail_start = max(0, self._size - TAIL)
        self._stream, self._stream_pos = zf.open(info), 0
        self._skip_to(self._tail_start)
        self._tail = self._stream.read()   # reading to the end checks the member's CRC once
        if len(self._tail) != self._size - self._tail_start:
            raise UnsafeArchive(f"member {info.filename!r} inflates to {self._tail_start + len(self._tail)} bytes, "
                                f"not the declared {self._size}", "re-run the export stage to download it again")
        self._restart()

    def _restart(self):
        self._stream.close()
        self._stream, self._stream_pos = self._zf.open(self._info), 0

    def _skip_to(self, pos):
        while self._stream_pos < pos:
            block = self._stream.read(min(BUFFER, pos - self._stream_pos))
            if not block:
                raise EOFError(f"member {self._info.filename!r} ends before byte {pos}")
            self._stream_pos += len(block)

    def readinto(self, buffer):
        want = min(len(buffer), self._size - self._pos)
        if want <= 0:
            return 0
        if self._pos >= self._tail_start:
            at = self._pos - self._tail_start
            data = self._tail[at: at + want]
        else:
            if self._pos < self._stream_pos:
                self._restart()
            self._skip_to(self._pos)
            data = self._stream.read(min(want, self._tail_start - self._pos))
            self._stream_pos += len(data)
        buffer[:len(data)] = data
        self._pos += len(data)
        return len(data)

    def close(self):
        if not self.closed:
            self._stream.close()
            self._tail = b""
        super().close()


def _data_start(base, info):
    """Offset of a member's data in its archive, from its local header."""
    base.seek(info.header_offset)
    header = base.read(LOCAL_HEADER.size)
    if len(header) != LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise UnsafeArchive(f"member {info.filename!r} has no local header at {info.header_offset}; "
                            "expected an intact archive", HINT)
    fields = LOCAL_HEADER.unpack(header)
    return info.header_offset + LOCAL_HEADER.size + fields[9] + fields[10]


def open_member(zf, info):
    """Open a member of an open ZipFile as a buffered, seekable binary file; nothing is written to disk."""
    if info.compress_type == zipfile.ZIP_STORED and info.compress_size == info.file_size and not info.flag_bits & 1:
        raw = _Window(zf.fp, _data_start(zf.fp, info), info.file_size)
    else:
        raw = _Inflated(zf, info)
    return io.BufferedReader(raw, BUFFER)


@contextlib.contextmanager
def nested_zip(zf, info):
    """Open a ZIP that is a member of another (a Part or Root ZIP inside the download) as a ZipFile, in place."""
    try:
        member = open_member(zf, info)
        inner = zipfile.ZipFile(member)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, zlib.error) as exc:
        raise UnsafeArchive(f"{info.filename} inside the download is truncated or corrupt ({exc}); "
                            "expected a complete ZIP", "re-run the export stage to download it again") from exc
    with member, inner:
        yield inner


class InZip(typing.NamedTuple):
    """A shard still inside its archive: the open archive, the member and the member's (cleaned) name."""

    zf: zipfile.ZipFile
    info: zipfile.ZipInfo
    name: str


def open_archive(source):
    """Open a shard as a ZipFile: a file on disk (a Path) or a member still inside the download (InZip)."""
    return open_zip(source) if isinstance(source, Path) else nested_zip(source.zf, source.info)
