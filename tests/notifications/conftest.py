"""The local FCM fake (started by the stack), fresh for each test, and helpers to feed the worker."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from sauti_dev.events import sqs_event


@pytest.fixture
def fcm(stack: Any) -> Iterator[Any]:
    """The fake FCM, emptied; the worker's FCM client starts again (no cached access token)."""
    from sauti.config import config

    fake = stack.fake_fcm
    fake.reset()
    config.cache_clear()
    yield fake
    fake.reset()


class Worker:
    """Invokes the notifications worker with queue messages as SQS hands them over."""

    def __init__(self, functions: Any):
        self.functions = functions
        self.receipts = 0

    def run(self, *messages: dict[str, Any], receive_count: int = 1) -> dict[str, Any]:
        records = []
        for message in messages:
            self.receipts += 1
            records.append(
                {
                    "MessageId": f"m-{self.receipts}",
                    "ReceiptHandle": f"rh-{self.receipts}",
                    "Body": json.dumps(message),
                    "Attributes": {"ApproximateReceiveCount": str(receive_count)},
                }
            )
        try:
            return self.functions.invoke("NotificationsWorkerFunction", sqs_event(records, "arn:q"))
        except Exception as exc:  # every record failed: Powertools raises BatchProcessingError
            return {"batchItemFailures": [{"itemIdentifier": r["MessageId"]} for r in records], "error": exc}


@pytest.fixture
def worker(functions: Any) -> Worker:
    return Worker(functions)


def queued(stack: Any) -> list[dict[str, Any]]:
    """Take every message off the notifications queue."""
    from helpers import drain_queue

    return drain_queue(stack.queue_urls["NotificationsQueue"])


def catalog_changed(
    kind: str, item_id: str, artist_id: str, change: str = "published", status: str | None = None
) -> dict[str, Any]:
    """The EventBridge event catalog's write logic emits (shape: /work/notes/shape.md, docs/catalog.md)."""
    import uuid

    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "catalog.changed",
        "source": "sauti.catalog",
        "account": "123456789012",
        "time": "2026-11-30T10:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {
            "event_id": str(uuid.uuid4()),
            "occurred_at": "2026-11-30T10:00:00Z",
            "kind": kind,
            "id": item_id,
            "artist_id": artist_id,
            "status": status or ("taken_down" if change == "taken_down" else "published"),
            "change": change,
        },
    }
