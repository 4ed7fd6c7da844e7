"""Feeding SQS-triggered functions from the local queues, as Lambda's event source mapping does.

Messages a function reports in ``batchItemFailures`` (or all of them, if it
raises) stay on the queue and come back after the visibility timeout; after
``maxReceiveCount`` tries the queue's redrive policy moves them to the
dead-letter queue.
"""

from __future__ import annotations

import threading
from typing import Any

from sauti.aws import client
from sauti_dev.events import sqs_event
from sauti_dev.lambdas import LocalFunctions

BATCH_SIZE = 10


def drain_once(functions: LocalFunctions, queue_urls: dict[str, str], wait_seconds: int = 0) -> int:
    """One receive-invoke-delete round over every queue with a consumer; returns how many messages it saw."""
    sqs = client("sqs")
    seen = 0
    for spec in functions.template.functions.values():
        for queue_id in spec.queues:
            url = queue_urls[queue_id]
            messages = sqs.receive_message(
                QueueUrl=url,
                MaxNumberOfMessages=BATCH_SIZE,
                WaitTimeSeconds=wait_seconds,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            if not messages:
                continue
            seen += len(messages)
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
                "QueueArn"
            ]
            try:
                result: Any = functions.invoke(spec.logical_id, sqs_event(messages, arn))
                failed = {item["itemIdentifier"] for item in (result or {}).get("batchItemFailures", [])}
            except Exception as exc:
                print(f"{spec.logical_id} failed on a batch: {exc}")
                failed = {message["MessageId"] for message in messages}
            done = [m for m in messages if m["MessageId"] not in failed]
            if done:
                sqs.delete_message_batch(
                    QueueUrl=url,
                    Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
                )
    return seen


def start_feeding(functions: LocalFunctions, queue_urls: dict[str, str]) -> threading.Event:
    """Poll in a background thread until the returned event is set."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                if not drain_once(functions, queue_urls, wait_seconds=1):
                    stop.wait(0.5)
            except Exception as exc:  # keep feeding whatever went wrong once
                print(f"queue feeder: {exc}")
                stop.wait(2)

    threading.Thread(target=loop, name="sqs-feeder", daemon=True).start()
    return stop
