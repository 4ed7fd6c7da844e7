"""Search's domain errors."""

from __future__ import annotations

from sauti.errors import ValidationFailed


class UnknownResultType(ValidationFailed):
    code, title = "unknown_result_type", "Unknown result type"
