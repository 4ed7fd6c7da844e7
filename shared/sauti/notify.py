"""Publishing notification messages to the notifications queue (SQS).

The message body is JSON of this shape (version 1); the notifications worker
consumes it and is idempotent on ``id``:

    {
      "version": 1,
      "id": "<uuid, unique per message; the worker's idempotency key>",
      "type": "auth.password_reset",          # what happened, <module>.<event>
      "user_id": "<uuid>" | null,
      "channels": ["email"] | ["push"] | ["email", "push"],
      "email": "someone@example.com" | null,  # null: the worker asks Auth for user_id's address
      "data": {...},                          # what the template needs (links, names)
      "created_at": "2026-11-24T10:00:00Z",
      "audience": null | {"followers_of": "<artist id>", "after": "<user id>" | null, "through": ...}
    }

``audience`` is set only by the notifications module's own fan-out (a chunk of an artist's
followers, docs/notifications.md); other modules name one ``user_id`` (or an ``email``).
The notifications module maps each type to a preference topic and checks it before any send.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from typing import Any

from sauti import clock
from sauti.aws import client
from sauti.core_settings import CoreSettings
from sauti.settings import settings

MESSAGE_VERSION = 1


def notification_message(
    type_: str,
    *,
    user_id: str | None,
    data: dict[str, Any],
    channels: Iterable[str] = ("email",),
    email: str | None = None,
    message_id: str | None = None,
) -> dict[str, Any]:
    return {
        "version": MESSAGE_VERSION,
        "id": message_id or str(uuid.uuid4()),
        "type": type_,
        "user_id": user_id,
        "channels": list(channels),
        "email": email,
        "data": data,
        "created_at": clock.iso(clock.now()),
    }


def publish_messages(messages: list[dict[str, Any]]) -> None:
    """Queue many messages, ten per SendMessageBatch call; a message SQS refuses raises."""
    sqs = client("sqs")
    url = settings(CoreSettings).notifications_queue_url
    for start in range(0, len(messages), 10):
        batch = messages[start : start + 10]
        answer = sqs.send_message_batch(
            QueueUrl=url,
            Entries=[
                {
                    "Id": str(index),
                    "MessageBody": json.dumps(message),
                    "MessageAttributes": {"type": {"DataType": "String", "StringValue": message["type"]}},
                }
                for index, message in enumerate(batch)
            ],
        )
        if answer.get("Failed"):
            raise RuntimeError(f"{len(answer['Failed'])} notification messages were not queued")


def publish_notification(type_: str, **kwargs: Any) -> str:
    """Queue one notification; returns its message id."""
    message = notification_message(type_, **kwargs)
    client("sqs").send_message(
        QueueUrl=settings(CoreSettings).notifications_queue_url,
        MessageBody=json.dumps(message),
        MessageAttributes={"type": {"DataType": "String", "StringValue": type_}},
    )
    return str(message["id"])
