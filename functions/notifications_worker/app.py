"""Consumes the notifications queue; a failed message is retried alone (partial batch response).

A message FCM asked to retry (429, 5xx) goes back to the queue no sooner than its ``Retry-After`` and
with a backoff that doubles per receive (ChangeMessageVisibility); after the queue's fifth receive SQS
moves it to the dead-letter queue, whose depth alarms.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from sauti.core_settings import CoreSettings, DatabaseSettings
from sauti.notifications.settings import NotificationsSettings
from sauti.notifications.worker import NotificationMessage, RetryLater, backoff_seconds, deliver
from sauti.observability import instrumented, logger
from sauti.settings import require, settings

require(CoreSettings, DatabaseSettings, NotificationsSettings)

processor = BatchProcessor(event_type=EventType.SQS)


def handle_record(record: SQSRecord) -> None:
    try:
        message = NotificationMessage.model_validate_json(record.body)
    except ValueError:
        # A message no version of the worker can read would only fill the dead-letter queue.
        logger.error("unreadable notification dropped", extra={"message_id": record.message_id})
        return
    try:
        deliver(message)
    except RetryLater as retry:
        _back_off(record, retry.retry_after)
        raise


def _back_off(record: SQSRecord, retry_after: float | None) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    from sauti.aws import client

    receives = int(record.attributes.approximate_receive_count or 1)
    seconds = backoff_seconds(receives, retry_after)
    try:
        client("sqs").change_message_visibility(
            QueueUrl=settings(CoreSettings).notifications_queue_url,
            ReceiptHandle=record.receipt_handle,
            VisibilityTimeout=seconds,
        )
    except (BotoCoreError, ClientError):  # the queue's own visibility timeout applies instead
        logger.warning("backoff not set", extra={"message_id": record.message_id})
    logger.info("push to retry", extra={"message_id": record.message_id, "after_seconds": seconds})


@instrumented()
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return dict(
        process_partial_response(
            event=event, record_handler=handle_record, processor=processor, context=context
        )
    )
