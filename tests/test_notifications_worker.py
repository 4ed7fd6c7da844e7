"""The notifications worker: email through SES, once per message, bad messages never block the queue."""

from __future__ import annotations

import json

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from helpers import sample_event
from sauti.aws import client
from sauti.notify import notification_message, publish_notification
from sauti_dev.events import sqs_event
from sauti_dev.queues import drain_once


def _emails_sent() -> int:
    return int(client("ses").get_send_quota()["SentLast24Hours"])


def _record(body: str, message_id: str = "m-1") -> dict:
    return {"MessageId": message_id, "ReceiptHandle": f"rh-{message_id}", "Body": body}


def test_a_queued_email_is_sent_once_even_when_delivered_twice(functions):
    body = json.dumps(
        notification_message(
            "auth.password_reset",
            user_id=None,
            email="a@example.com",
            data={"token": "T-1", "expires_minutes": 30},
        )
    )
    before = _emails_sent()

    first = functions.invoke("NotificationsWorkerFunction", sqs_event([_record(body, "m-1")], "arn:q"))
    again = functions.invoke("NotificationsWorkerFunction", sqs_event([_record(body, "m-2")], "arn:q"))

    assert first == {"batchItemFailures": []}
    assert again == {"batchItemFailures": []}
    assert _emails_sent() == before + 1


def test_an_unreadable_message_is_dropped_and_the_rest_of_the_batch_goes_through(functions):
    good = json.dumps(
        notification_message("x.y", user_id=None, email="b@example.com", data={"message": "hi"})
    )
    before = _emails_sent()

    result = functions.invoke(
        "NotificationsWorkerFunction",
        sqs_event([_record("{not json", "bad"), _record(good, "good")], "arn:q"),
    )

    assert result == {"batchItemFailures": []}
    assert _emails_sent() == before + 1


def test_a_failed_delivery_is_retried_not_lost(functions, monkeypatch):
    from sauti.config import config

    good = json.dumps(notification_message("x.y", user_id=None, email="c@example.com", data={}))
    monkeypatch.setenv("EMAIL_FROM", "unverified@nowhere.example")
    config.cache_clear()
    try:
        # every record failed: the whole batch goes back to the queue (and on to the DLQ after five tries)
        with pytest.raises(BatchProcessingError):
            functions.invoke("NotificationsWorkerFunction", sqs_event([_record(good, "m-9")], "arn:q"))
    finally:
        monkeypatch.undo()
        config.cache_clear()


def test_the_local_stack_feeds_the_queue_to_the_worker(functions, stack):
    before = _emails_sent()
    publish_notification("auth.password_reset", user_id=None, email="d@example.com", data={"token": "x"})

    assert drain_once(functions, stack.queue_urls) == 1
    assert _emails_sent() == before + 1


def test_the_sample_event_is_a_valid_message(functions):
    assert functions.invoke(
        "NotificationsWorkerFunction", sample_event("NotificationsWorkerFunction.json")
    ) == {"batchItemFailures": []}
