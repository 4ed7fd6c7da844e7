"""Delivering one queued notification message, at most once per message id."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from sauti.auth.public import get_user
from sauti.aws import client
from sauti.cache import redis_client
from sauti.notifications.settings import NotificationsSettings
from sauti.notifications.templates import render_email
from sauti.observability import count, logger
from sauti.settings import settings

DELIVERED_MEMORY_SECONDS = 14 * 24 * 3600  # longer than SQS keeps a message (and its retries)
CLAIM_SECONDS = 60  # a worker that died mid-send frees the message after this long


class NotificationMessage(BaseModel):
    """The queue's message shape, version 1 (documented in sauti.notify)."""

    version: Literal[1]
    id: str = Field(min_length=1)
    type: str = Field(min_length=1)
    user_id: str | None = None
    channels: list[Literal["email", "push"]]
    email: str | None = None
    data: dict = Field(default_factory=dict)
    created_at: datetime


class DeliveryInProgress(RuntimeError):
    """Another worker holds this message right now; retry it later rather than send it twice."""


def deliver(message: NotificationMessage) -> bool:
    """Send the message on its channels; False when it was already delivered (a duplicate).

    The message id is claimed in Redis before sending, so two copies delivered at
    once cannot both send; a failed send releases the claim for the retry.
    """
    key = f"notification:{message.id}"
    redis = redis_client()
    if not redis.set(key, "sending", nx=True, ex=CLAIM_SECONDS):
        if redis.get(key) == "delivered":
            logger.info("duplicate notification ignored", extra={"notification_id": message.id})
            return False
        raise DeliveryInProgress(message.id)
    try:
        if "email" in message.channels:
            send_email(message)
        if "push" in message.channels:
            # Push delivery (Firebase) arrives with the notifications module; nothing to send to yet.
            logger.info("push channel not configured", extra={"notification_id": message.id})
    except BaseException:
        redis.delete(key)
        count("NotificationsFailed", type=message.type)
        raise
    redis.set(key, "delivered", ex=DELIVERED_MEMORY_SECONDS)
    count("NotificationsDelivered", type=message.type)
    return True


def send_email(message: NotificationMessage) -> None:
    recipient = _recipient(message)
    if recipient is None:
        logger.info(
            "email skipped: no address, or the user is deleted or has none",
            extra={"notification_id": message.id, "type": message.type},
        )
        return
    address, data = recipient
    subject, body = render_email(message.type, data)
    client("ses").send_email(
        Source=settings(NotificationsSettings).email_from,
        Destination={"ToAddresses": [address]},
        Message={"Subject": {"Data": subject}, "Body": {"Text": {"Data": body}}},
    )


def _recipient(message: NotificationMessage) -> tuple[str, dict[str, Any]] | None:
    """The address and the template's data: the message's own address, else its user's, asked of Auth."""
    if message.email:
        return message.email, message.data
    if not message.user_id:
        return None
    user = get_user(message.user_id)
    if user is None or not user.get("email"):
        return None
    return user["email"], {"display_name": user["display_name"], **message.data}
