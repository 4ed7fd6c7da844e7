"""Every cursor its documented pattern allows is one the server reads, and one it hands out comes back
to the same row: the document and the check cannot differ (issue 20)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sauti import paging


@settings(max_examples=200, deadline=None)
@given(st.from_regex(paging.CURSOR_PATTERN, fullmatch=True))
def test_every_cursor_of_the_pattern_is_read(cursor):
    moment, row_id = paging.decode_cursor(cursor)

    assert moment.tzinfo is not None and uuid.UUID(row_id)


@settings(max_examples=200, deadline=None)
@given(st.from_regex(paging.RANK_CURSOR_PATTERN, fullmatch=True))
def test_every_rank_cursor_of_the_pattern_is_read_and_fits_a_bigint(cursor):
    rank, row_id = paging.decode_rank_cursor(cursor)

    assert 0 <= rank < 1 << 63 and uuid.UUID(row_id)


@settings(max_examples=200, deadline=None)
@given(st.from_regex(paging.ID_CURSOR_PATTERN, fullmatch=True))
def test_every_id_cursor_of_the_pattern_fits_a_bigint(cursor):
    assert 0 <= int(cursor) < 1 << 63


def test_a_cursor_names_its_row_to_the_microsecond():
    moment = datetime(2025, 5, 1, 9, 30, 0, 123456, tzinfo=UTC)
    row_id = str(uuid.uuid4())

    cursor = paging.encode_cursor(moment, row_id)

    assert re.fullmatch(paging.CURSOR_PATTERN, cursor)
    assert paging.decode_cursor(cursor) == (moment, row_id)
    rank_cursor = paging.encode_rank_cursor((1 << 62) + 5, row_id)
    assert re.fullmatch(paging.RANK_CURSOR_PATTERN, rank_cursor)
    assert paging.decode_rank_cursor(rank_cursor) == ((1 << 62) + 5, row_id)


@pytest.mark.parametrize("cursor", ["garbage", "1." + "0" * 31, "1.0A" + "0" * 30, "9" * 18 + "." + "0" * 32])
def test_a_cursor_off_the_pattern_is_invalid(cursor):
    with pytest.raises(paging.InvalidCursor):
        paging.decode_cursor(cursor)
