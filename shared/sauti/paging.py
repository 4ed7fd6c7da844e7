"""Keyset paging for list routes: ``?limit=&cursor=`` in, ``{"items": [...], "next_cursor": ...}`` out.

Every list is ordered on ``(timestamp, id)``, both descending or both ascending; a cursor is that key of
the last row of the previous page, so rows added or removed meanwhile neither shift nor repeat a page.
Opaque to clients, yet every string of its documented pattern is one the server reads: the moment in
microseconds since 1970 and the row's UUID (``<microseconds>.<32 hex digits>``). The pattern is the one
check, in the document and in the validator (``sauti.http.Cursor``); a cursor past every row is an empty
page, never a refusal.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sauti.errors import ValidationFailed

DEFAULT_LIMIT, MAX_LIMIT = 20, 100  # every list route: ?limit= between 1 and MAX_LIMIT
# 17 digits of microseconds reach the year 5138, inside what datetime holds.
CURSOR_PATTERN = r"^[0-9]{1,17}\.[0-9a-f]{32}$"
# A position (below 2**63, as bigint holds: 18 digits, or 19 below 9e18) and the row's UUID.
RANK_CURSOR_PATTERN = r"^([0-9]{1,18}|[1-8][0-9]{18})\.[0-9a-f]{32}$"
# A bigint id, as the audit log's.
ID_CURSOR_PATTERN = r"^[0-9]{1,18}$"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

Item = TypeVar("Item")


class InvalidCursor(ValidationFailed):
    def __init__(self) -> None:
        super().__init__("invalid cursor", errors=[{"field": "cursor", "message": "invalid"}])


def encode_cursor(moment: datetime, row_id: Any) -> str:
    """The cursor after the row keyed ``(moment, row_id)``; ``moment`` keeps its microseconds."""
    return f"{(moment - _EPOCH) // _MICROSECOND}.{uuid.UUID(str(row_id)).hex}"


def decode_cursor(cursor: str | None) -> tuple[datetime, str] | None:
    """The ``(moment, id)`` a cursor names (None without one); one off its pattern is ``InvalidCursor``."""
    if not cursor:
        return None
    microseconds, row_id = _parts(cursor, CURSOR_PATTERN)
    return _EPOCH + int(microseconds) * _MICROSECOND, row_id


def encode_rank_cursor(rank: int, row_id: Any) -> str:
    """The cursor after the row at position ``rank`` (a list in its own order, as a playlist's)."""
    return f"{rank}.{uuid.UUID(str(row_id)).hex}"


def decode_rank_cursor(cursor: str | None) -> tuple[int, str] | None:
    if not cursor:
        return None
    rank, row_id = _parts(cursor, RANK_CURSOR_PATTERN)
    return int(rank), row_id


def _parts(cursor: str, pattern: str) -> tuple[str, str]:
    """The number and the canonical UUID of a cursor that matches ``pattern``."""
    if re.fullmatch(pattern, cursor) is None:
        raise InvalidCursor()
    number, hex_id = cursor.split(".")
    return number, str(uuid.UUID(hex=hex_id))


def page(
    rows: Sequence[Any],
    limit: int,
    view: Callable[[Any], Item],
    key: Callable[[Any], tuple[datetime, Any]],
) -> dict[str, Any]:
    """One page from ``rows``, fetched with ``limit + 1``: the extra row only says that more follow."""
    shown = rows[:limit]
    more = len(rows) > limit and bool(shown)
    return {
        "items": [view(row) for row in shown],
        "next_cursor": encode_cursor(*key(shown[-1])) if more else None,
    }
