"""Page and space id parsing: ids, dashed or not, and page URLs."""
import pytest

from lib.core.errors import ConfigError
from lib.core.ids import parse_page_ids, parse_space_id

A, B = "7d583f47-68d9-4d6a-ada3-1828312a2f7e", "01234567-89ab-cdef-0123-456789abcdef"


def test_space_id_forms():
    assert parse_space_id(A.replace("-", "").upper()) == A
    assert parse_space_id(A) == A
    with pytest.raises(ConfigError, match="NOTION_SPACE_ID"):
        parse_space_id("my workspace")


def test_page_ids_from_ids_and_urls():
    text = (f"https://www.notion.so/acme/Home-{A.replace('-', '')}?v={B.replace('-', '')}, {A}\n"
            f"{B.replace('-', '').upper()} app.notion.com/p/{B}")
    assert parse_page_ids(text) == [A, B]
    with pytest.raises(ConfigError, match="'nope' is neither"):
        parse_page_ids(f"{A}, nope")
