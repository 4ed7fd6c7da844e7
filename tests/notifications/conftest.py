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


@pytest.fixture
def sns_signer(stack: Any) -> Any:
    """The local stand-in for SNS's signing key (sauti_dev.sns_signing), which the local stack trusts."""
    from sauti_dev.sns_signing import ensure_local_signer

    return ensure_local_signer(stack.data_dir)
