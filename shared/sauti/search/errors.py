"""Search's domain errors."""

from __future__ import annotations

from sauti.errors import ValidationFailed


class IndexRebuilding(RuntimeError):
    """A change arrived while the index is rebuilt; raised so that its event is delivered again."""


class UnknownResultType(ValidationFailed):
    code, title = "unknown_result_type", "Unknown result type"
