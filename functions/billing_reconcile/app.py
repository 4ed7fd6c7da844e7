"""The daily billing reconciliation (EventBridge schedule; `sauti run-job billing-reconcile`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sauti import clock
from sauti.billing.reconcile import reconcile
from sauti.billing.settings import BillingSettings, StripeSettings
from sauti.core_settings import CoreSettings, DatabaseSettings
from sauti.observability import instrumented
from sauti.settings import require

require(CoreSettings, DatabaseSettings, BillingSettings, StripeSettings)


def run_at(event: dict[str, Any]) -> datetime:
    """The moment the job acts as of: the schedule's firing time (for `--date D`, just after day D)."""
    fired = event.get("time")
    try:
        return datetime.fromisoformat(str(fired).replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return clock.now()


@instrumented()
def lambda_handler(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    return reconcile(run_at(event)).as_dict()
