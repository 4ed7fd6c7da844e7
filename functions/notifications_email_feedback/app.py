"""SES bounce and complaint feedback, delivered by SNS: each record's signature and topic are checked,
then its permanent bounces and complaints suppress the addresses (sauti.notifications.feedback)."""

from __future__ import annotations

from typing import Any

from sauti.notifications import feedback
from sauti.notifications.settings import EmailFeedbackSettings
from sauti.observability import instrumented
from sauti.settings import require

require(EmailFeedbackSettings)


@instrumented()
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    return feedback.handle_records(event)
