"""Identifiers: every id in the API is a UUID, and every module reads one the same way."""

from __future__ import annotations

import uuid
from typing import Any


def canonical_id(value: Any) -> str | None:
    """The one spelling of a UUID (lower case, hyphenated), or None when ``value`` is not one.

    Modules check client-supplied ids with this before they reach SQL or a cache key, so a
    malformed id is a 404 or a validation error, never a database error.
    """
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, AttributeError, TypeError):
        return None


def is_uuid(value: Any) -> bool:
    return canonical_id(value) is not None
