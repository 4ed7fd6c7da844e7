"""Consumes the notifications queue; a failed message is retried alone (partial batch response)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from sauti.core_settings import CoreSettings, DatabaseSettings
from sauti.notifications.settings import NotificationsSettings
from sauti.notifications.worker import NotificationMessage, deliver
from sauti.observability import instrumented, logger
from sauti.settings import require

require(CoreSettings, DatabaseSettings, NotificationsSettings)

processor = BatchProcessor(event_type=EventType.SQS)


def handle_record(record: SQSRecord) -> None:
    try:
        message = NotificationMessage.model_validate_json(record.body)
    except ValueError:
        # A message no version of the worker can read would only fill the dead-letter queue.
        logger.error("unreadable notification dropped", extra={"message_id": record.message_id})
        return
    deliver(message)


@instrumented()
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return dict(
        process_partial_response(
            event=event, record_handler=handle_record, processor=processor, context=context
        )
    )
