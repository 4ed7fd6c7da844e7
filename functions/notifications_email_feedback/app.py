"""SES bounce and complaint feedback, delivered by SNS: the addresses are suppressed, so nothing is
sent to them again. A permanent bounce or any complaint suppresses; a transient bounce does not.

SES sends either a notification (``notificationType``, identity notifications) or an event
(``eventType``, a configuration set's SNS destination); both carry ``bounce`` / ``complaint``.
"""

from __future__ import annotations

import json
from typing import Any

from sauti.notifications import logic
from sauti.observability import instrumented, logger


def handle_feedback(notification: dict[str, Any]) -> int:
    kind = notification.get("notificationType") or notification.get("eventType")
    if kind not in ("Bounce", "Complaint", "Delivery"):  # known by what it carries then
        kind = "Bounce" if "bounce" in notification else "Complaint" if "complaint" in notification else None
    if kind == "Bounce":
        bounce = notification.get("bounce") or {}
        if bounce.get("bounceType") != "Permanent":
            return 0
        recipients = [
            item.get("emailAddress", "")
            for item in bounce.get("bouncedRecipients") or []
            if item.get("action", "failed") == "failed"  # not one still "delayed"
        ]
        return logic.suppress_addresses(recipients, "bounce", bounce.get("feedbackId"))
    if kind == "Complaint":
        complaint = notification.get("complaint") or {}
        recipients = [item.get("emailAddress", "") for item in complaint.get("complainedRecipients") or []]
        return logic.suppress_addresses(recipients, "complaint", complaint.get("feedbackId"))
    return 0


@instrumented()
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    suppressed = 0
    for record in event.get("Records") or []:
        message = (record.get("Sns") or {}).get("Message") or "{}"
        try:  # SNS carries SES's JSON as a string (moto's simulator hands over the object itself)
            notification = message if isinstance(message, dict) else json.loads(message)
        except (ValueError, TypeError):
            logger.error("unreadable SES feedback dropped")
            continue
        if isinstance(notification, dict):
            suppressed += handle_feedback(notification)
    return {"suppressed": suppressed}
