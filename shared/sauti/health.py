"""Dependency checks behind GET /health: both at once, and an answer within ``BUDGET_SECONDS`` whatever
the dependencies do. A check that has not answered by then is reported ``timeout`` (its thread is left
to finish on its own client timeouts); one that failed, ``unavailable``."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Literal

from sauti import cache, db
from sauti.models import ApiModel
from sauti.observability import logger

BUDGET_SECONDS = 1.5  # the route answers within 2 s: the checks, plus the function's own work
DATABASE_PING_SECONDS = 1.0  # one round trip on an open connection; connecting has its own timeout

State = Literal["ok", "unavailable", "timeout"]


class Health(ApiModel):
    """GET /health: 200 when every dependency answers (a 503 problem names the ones that did not)."""

    status: Literal["ok", "unavailable"]
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

    @property
    def failing(self) -> list[str]:
        return sorted(name for name, state in self.checks.items() if state != "ok")


def _check(name: str, ping: Callable[[], None]) -> str:
    try:
        ping()
        return "ok"
    except Exception as exc:  # any failure of a dependency is a failed check, never a 500
        logger.warning("health check failed", extra={"check": name, "error": type(exc).__name__})
        return "unavailable"


CHECKS: dict[str, Callable[[], None]] = {
    "database": lambda: db.ping(DATABASE_PING_SECONDS),
    "redis": cache.ping,
}


def check_dependencies(budget_seconds: float = BUDGET_SECONDS) -> HealthReport:
    pool = ThreadPoolExecutor(max_workers=len(CHECKS), thread_name_prefix="health")
    futures = {name: pool.submit(_check, name, ping) for name, ping in CHECKS.items()}
    wait(futures.values(), timeout=budget_seconds)
    pool.shutdown(wait=False)  # a hung check must not hold the answer back
    checks = {}
    for name, future in futures.items():
        if future.done():
            checks[name] = future.result()
        else:
            logger.warning("health check timed out", extra={"check": name})
            checks[name] = "timeout"
    return HealthReport(checks)
