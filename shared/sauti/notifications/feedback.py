"""SES bounce and complaint feedback, delivered by SNS: the addresses are suppressed, so nothing is
sent to them again. A permanent bounce or any complaint suppresses; a transient bounce does not.

SES sends either a notification (``notificationType``, identity notifications) or an event
(``eventType``, a configuration set's SNS destination); both carry ``bounce`` / ``complaint``
(docs.aws.amazon.com/ses/latest/dg/notification-contents.html). Each SNS record is checked first
(``sauti.notifications.sns``: signature, certificate, topic), then its message read by a model: a
record that is not genuine, or not SES feedback's shape, is refused and suppresses nothing.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sauti.notifications import logic, sns
from sauti.notifications.settings import EmailFeedbackSettings
from sauti.observability import logger
from sauti.settings import settings

MAX_RECIPIENTS = 50  # SES sends one message to at most 50 recipients


class _Shape(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)


class Recipient(_Shape):
    email_address: str = Field(alias="emailAddress", min_length=1, max_length=320)
    action: str | None = Field(default=None, max_length=100)  # a bounce's: "failed", or "delayed"


class Bounce(_Shape):
    bounce_type: str = Field(alias="bounceType", max_length=100)
    bounced_recipients: list[Recipient] = Field(alias="bouncedRecipients", max_length=MAX_RECIPIENTS)
    feedback_id: str | None = Field(default=None, alias="feedbackId", max_length=500)


class Complaint(_Shape):
    complained_recipients: list[Recipient] = Field(alias="complainedRecipients", max_length=MAX_RECIPIENTS)
    feedback_id: str | None = Field(default=None, alias="feedbackId", max_length=500)


class SesFeedback(_Shape):
    notification_type: str | None = Field(default=None, alias="notificationType", max_length=100)
    event_type: str | None = Field(default=None, alias="eventType", max_length=100)
    bounce: Bounce | None = None
    complaint: Complaint | None = None

    def kind(self) -> Literal["Bounce", "Complaint"] | None:
        stated = self.notification_type or self.event_type
        if stated in ("Bounce", "Complaint"):
            return stated  # type: ignore[return-value]
        if stated == "Delivery":
            return None
        # known by what it carries then (moto's simulator states "Bounce, Complaint, or Delivery.")
        return "Bounce" if self.bounce else "Complaint" if self.complaint else None


def suppress(feedback: SesFeedback) -> int:
    kind = feedback.kind()
    if kind == "Bounce" and feedback.bounce is not None:
        if feedback.bounce.bounce_type != "Permanent":
            return 0
        recipients = [
            item.email_address
            for item in feedback.bounce.bounced_recipients
            if (item.action or "failed") == "failed"  # not one still "delayed"
        ]
        return logic.suppress_addresses(recipients, "bounce", feedback.bounce.feedback_id)
    if kind == "Complaint" and feedback.complaint is not None:
        recipients = [item.email_address for item in feedback.complaint.complained_recipients]
        return logic.suppress_addresses(recipients, "complaint", feedback.complaint.feedback_id)
    return 0


def handle_records(event: Any) -> dict[str, int]:
    """``{suppressed, refused}`` of an SNS event's records. A certificate that cannot be fetched raises
    (Lambda retries the event); a forged or malformed record is logged and skipped."""
    config = settings(EmailFeedbackSettings)
    records = event.get("Records") if isinstance(event, dict) else None
    suppressed = refused = 0
    for record in records if isinstance(records, list) else []:
        message = record.get("Sns") if isinstance(record, dict) else None
        try:
            genuine = sns.verify(
                message,
                topic_arn=config.email_feedback_topic_arn,
                cert_url_pattern=config.sns_signing_cert_url_pattern,
            )
            feedback = SesFeedback.model_validate(json.loads(genuine["Message"]))
        except sns.NotFromSns as exc:
            logger.error("SES feedback refused: not from SNS", extra={"reason": str(exc)})
            refused += 1
            continue
        except (ValueError, ValidationError) as exc:
            logger.error("SES feedback refused: not SES feedback", extra={"reason": str(exc)[:500]})
            refused += 1
            continue
        suppressed += suppress(feedback)
    return {"suppressed": suppressed, "refused": refused}
