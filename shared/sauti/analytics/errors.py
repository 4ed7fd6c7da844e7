"""The analytics module's errors (the jobs' refusals; the dashboards answer sauti.errors' 403/404)."""

from __future__ import annotations

from sauti.errors import DomainError


class DayNotFinished(DomainError):
    status, code, title = 422, "day_not_finished", "That day is not over yet"


class DayArchived(DomainError):
    status, code, title = 409, "day_archived", "That day's raw plays are archived"
