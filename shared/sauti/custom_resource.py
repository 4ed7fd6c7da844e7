"""A CloudFormation custom resource served by a Lambda function: run an action, answer CloudFormation.

CloudFormation waits for a PUT of the outcome to the event's pre-signed ``ResponseURL``; a function
that raises without answering leaves the stack waiting until the resource's ``ServiceTimeout``. So
every outcome is answered, a failure with its reason (the stack operation then fails and rolls back).
The ``cfn-response`` module exists only for inline ``ZipFile`` code and ``crhelper`` would put a
poller and its threads in the shared layer for one PUT: this is that PUT, with a timeout and retries.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable
from typing import Any

RESPONSE_TIMEOUT_SECONDS = 10
RESPONSE_ATTEMPTS = 3
REASON_LIMIT = 1000  # CloudFormation shows the reason in the stack's events; it keeps the first 4 KB


def is_custom_resource_event(event: dict[str, Any]) -> bool:
    return isinstance(event, dict) and "RequestType" in event and "ResponseURL" in event


def answer(event: dict[str, Any], status: str, reason: str, data: dict[str, Any] | None = None) -> None:
    body = json.dumps(
        {
            "Status": status,
            "Reason": reason[:REASON_LIMIT],
            "PhysicalResourceId": event.get("PhysicalResourceId") or event["LogicalResourceId"],
            "StackId": event["StackId"],
            "RequestId": event["RequestId"],
            "LogicalResourceId": event["LogicalResourceId"],
            "Data": data or {},
        }
    ).encode()
    url = event["ResponseURL"]
    if not url.startswith(("https://", "http://127.0.0.1")):  # CloudFormation's S3 URL; a local test server
        raise ValueError("the response URL is not CloudFormation's")
    # The pre-signed URL was signed for an empty content type.
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        url, data=body, method="PUT", headers={"content-type": ""}
    )
    for attempt in range(1, RESPONSE_ATTEMPTS + 1):
        try:
            with urllib.request.urlopen(request, timeout=RESPONSE_TIMEOUT_SECONDS) as response:  # noqa: S310 (checked above)
                response.read()
            return
        except OSError:
            if attempt == RESPONSE_ATTEMPTS:
                raise
            time.sleep(attempt)


def serve(event: dict[str, Any], action: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run ``action`` on Create and Update (not on Delete) and answer CloudFormation either way."""
    if event["RequestType"] == "Delete":
        answer(event, "SUCCESS", "nothing to undo")
        return {}
    try:
        data = action()
    except Exception as exc:  # any failure fails the stack operation, with its reason
        answer(event, "FAILED", f"{type(exc).__name__}: {exc}")
        raise
    answer(event, "SUCCESS", "done", {key: str(value) for key, value in data.items()})
    return data
