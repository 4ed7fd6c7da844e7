"""Keyset paging for list routes: ``?limit=&cursor=`` in, ``{"items": [...], "next_cursor": ...}`` out.

Every list is ordered on ``(timestamp, id)``, both descending or both ascending; a cursor is that key of
the last row of the previous page, so rows added or removed meanwhile neither shift nor repeat a page.
It is url-safe base64 of JSON: opaque to clients, checked when it comes back (a bad one is a 422).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sauti.errors import ValidationFailed
from sauti.ids import canonical_id

DEFAULT_LIMIT, MAX_LIMIT = 20, 100  # every list route: ?limit= between 1 and MAX_LIMIT
CURSOR_MAX_LENGTH = 500

Item = TypeVar("Item")


class InvalidCursor(ValidationFailed):
    def __init__(self) -> None:
        super().__init__("invalid cursor", errors=[{"field": "cursor", "message": "invalid"}])


def encode_cursor(moment: datetime, row_id: Any) -> str:
    """The cursor after the row keyed ``(moment, row_id)``; ``moment`` keeps its microseconds."""
    key = json.dumps([moment.isoformat(), str(row_id)], separators=(",", ":"))
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[datetime, str] | None:
    """The ``(moment, id)`` a cursor names (None without one); a malformed one raises ``InvalidCursor``."""
    if not cursor:
        return None
    try:
        moment, row_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        after = datetime.fromisoformat(moment), canonical_id(row_id)
    except (ValueError, TypeError, binascii.Error) as exc:  # JSONDecodeError, UnicodeDecodeError: ValueError
        raise InvalidCursor() from exc
    if after[1] is None or after[0].tzinfo is None:
        raise InvalidCursor()
    return after[0], after[1]


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
