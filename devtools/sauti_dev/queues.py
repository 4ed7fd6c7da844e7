"""Feeding functions from the local queues, as Lambda's event sources do.

SQS-triggered functions get batches: messages a function reports in
``batchItemFailures`` (or all of them, if it raises) stay on the queue and come
back after the visibility timeout; after ``maxReceiveCount`` tries the queue's
redrive policy moves them to the dead-letter queue. Functions triggered by
EventBridge rules get one event per invocation, read from the local queue each
rule delivers to; a failed event is retried the same way.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from sauti.aws import client
from sauti_dev.events import sqs_event
from sauti_dev.lambdas import LocalFunctions

BATCH_SIZE = 10


def drain_once(
    functions: LocalFunctions,
    queue_urls: dict[str, str],
    wait_seconds: int = 0,
    rule_queues: dict[str, str] | None = None,
) -> int:
    """One receive-invoke-delete round over every queue with a consumer; returns how many messages it saw."""
    sqs = client("sqs")
    seen = _deliver_rule_events(functions, rule_queues or {})
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


def _deliver_rule_events(functions: LocalFunctions, rule_queues: dict[str, str]) -> int:
    sqs = client("sqs")
    seen = 0
    for logical_id, url in rule_queues.items():
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=BATCH_SIZE).get("Messages", []):
            seen += 1
            try:
                functions.invoke(logical_id, json.loads(message["Body"]))
            except Exception as exc:  # left on the queue: retried after the visibility timeout
                print(f"{logical_id} failed on an event: {exc}")
                continue
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return seen


def start_feeding(
    functions: LocalFunctions, queue_urls: dict[str, str], rule_queues: dict[str, str] | None = None
) -> threading.Event:
    """Poll in a background thread until the returned event is set."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                if not drain_once(functions, queue_urls, wait_seconds=1, rule_queues=rule_queues):
                    stop.wait(0.5)
            except Exception as exc:  # keep feeding whatever went wrong once
                print(f"queue feeder: {exc}")
                stop.wait(2)

    threading.Thread(target=loop, name="sqs-feeder", daemon=True).start()
    return stop
