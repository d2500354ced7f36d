"""Answers checked before use: field shapes, excerpts that never carry a secret, JSON tolerated as Notion sends it."""
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.core.redact import register_secret
from lib.http.answers import EXCERPT, AnswerRefused, ListOf, check_fields, excerpt, json_of

SHAPES = {"status": str, "download_urls": ListOf(str), "pages_exported": int, "url_expires_at": (int, float)}
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner,
                                                                                         max_size=4), max_leaves=12)


@given(st.text(max_size=30), st.lists(st.text(max_size=30), max_size=5), st.integers(), st.integers() | st.floats())
def test_answers_of_the_documented_shape_pass(status, urls, pages, expires):
    check_fields({"status": status, "download_urls": urls, "pages_exported": pages, "url_expires_at": expires,
                  "unknown": {"any": "thing"}}, SHAPES, "status")
    check_fields({"status": None, "download_urls": None}, SHAPES, "status")


@given(JSON.filter(lambda value: not (isinstance(value, list) and all(isinstance(item, str) for item in value))
                   and value is not None))
def test_download_urls_of_any_other_shape_are_refused_and_named(value):
    with pytest.raises(AnswerRefused, match=rf"Notion sent `download_urls` as {type(value).__name__}, not a list"):
        check_fields({"status": "completed", "download_urls": value}, SHAPES, "Admin API GET /v1/exports/x")


@given(st.booleans())
def test_a_bool_is_not_a_count(flag):
    with pytest.raises(AnswerRefused, match="`pages_exported` as bool, not int"):
        check_fields({"pages_exported": flag}, SHAPES, "status")


@given(st.text(max_size=2000), st.text(max_size=2000))
def test_an_excerpt_is_short_and_never_holds_a_registered_secret(before, after):
    secret = "ntn_admin_9f8e7d6c5b4a39281706"
    register_secret(secret)
    for body in (before + secret + after, (before + secret + after).encode()):
        text = excerpt(body)
        assert secret not in text and len(text) <= EXCERPT + 3 and "\n" not in text


@given(JSON)
def test_json_is_read_with_a_bom_and_surrounding_space(value):
    body = ("\ufeff \n" + json.dumps({"value": value}) + "\n ").encode()
    assert json_of(body) == {"value": value}


@given(st.binary(max_size=200).filter(lambda data: data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] not in (b"{", b"[")))
def test_anything_that_does_not_start_like_json_is_none(body):
    assert json_of(body) is None
