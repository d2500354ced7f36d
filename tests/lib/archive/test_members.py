"""A ZIP member read as a seekable file in place: every read after any seek gives the member's own bytes."""
import io
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.archive import members
from lib.core.errors import UnsafeArchive
from tests.lib.archive.hostile_zips import raw_zip, zip_bytes

SEEKS = st.lists(st.tuples(st.integers(-5, 9000), st.integers(0, 3000)), max_size=12)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=8000), st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]), SEEKS,
       st.sampled_from([16, 1000, 1 << 20]))
def test_any_seek_and_read_gives_the_members_bytes(data, method, seeks, tail):
    members.TAIL = tail      # a small kept end makes the deflated reader restart and skip forward
    try:
        with zipfile.ZipFile(io.BytesIO(zip_bytes({"a.txt": b"lead", "m.bin": data}, method=method))) as zf:
            with members.open_member(zf, zf.getinfo("m.bin")) as member:
                assert member.read() == data
                for where, count in seeks:
                    member.seek(max(where, 0))
                    assert member.read(count) == data[max(where, 0): max(where, 0) + count]
                assert member.seek(-3, io.SEEK_END) == max(len(data) - 3, 0) and member.read() == data[-3:][:len(data)]
    finally:
        members.TAIL = 32 << 20


def test_a_zip_inside_a_zip_is_read_without_writing_it():
    inner = zip_bytes({"Export-x/Page.md": b"# Page\n"})
    for method in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        with zipfile.ZipFile(io.BytesIO(zip_bytes({"E-Part-1.zip": inner}, method=method))) as zf:
            with members.nested_zip(zf, zf.getinfo("E-Part-1.zip")) as part:
                assert part.read("Export-x/Page.md") == b"# Page\n"


def test_a_member_that_is_not_a_zip_is_refused_clearly():
    with zipfile.ZipFile(io.BytesIO(zip_bytes({"E-Part-1.zip": b"<html>denied</html>"}))) as zf:
        with pytest.raises(UnsafeArchive, match="E-Part-1.zip inside the download is truncated or corrupt"):
            with members.nested_zip(zf, zf.getinfo("E-Part-1.zip")):
                pass


def test_a_deflated_member_shorter_than_declared_is_refused():
    archive = raw_zip([{"name": b"E-Part-1.zip", "data": b"PK" * 50, "size": 400}])
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        with pytest.raises(UnsafeArchive, match="inflates to 100 bytes, not the declared 400"):
            with members.nested_zip(zf, zf.infolist()[0]):
                pass
