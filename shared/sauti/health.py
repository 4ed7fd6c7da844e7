"""Dependency checks behind GET /health."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sauti import cache, db
from sauti.models import ApiModel
from sauti.observability import logger

State = Literal["ok", "unavailable"]


class Health(ApiModel):
    """GET /health: 200 when every dependency answers, else 503 naming the ones that did not."""

    status: State
    checks: dict[str, State]


@dataclass(frozen=True)
class HealthReport:
    checks: dict[str, str]

    @property
    def healthy(self) -> bool:
        return all(state == "ok" for state in self.checks.values())

    def view(self) -> Health:
        return Health.model_validate(
            {"status": "ok" if self.healthy else "unavailable", "checks": self.checks}
        )


def check_dependencies() -> HealthReport:
    checks = {}
    for name, ping in (("database", db.ping), ("redis", cache.ping)):
        try:
            ping()
            checks[name] = "ok"
        except Exception as exc:  # any failure of a dependency is a failed check, never a 500
            logger.warning("health check failed", extra={"check": name, "error": type(exc).__name__})
            checks[name] = "unavailable"
    return HealthReport(checks)
