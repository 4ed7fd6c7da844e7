"""Delivering one queued notification message: never twice, only where the person's preferences allow,
never to a suppressed address or a dead push token.

A message for one person is claimed in Redis by its id before sending, so two copies delivered at once
cannot both send; each channel is recorded as done once sent, so a retry (a push FCM asked to retry)
does not send the email again. A fan-out chunk (``audience``) claims each (release, follower) in
PostgreSQL instead, so redelivery or a repeated publish sends nothing twice.

Push to a person counts as delivered when one of their devices accepted it; when none did and FCM asked
to retry (429, 5xx, unreachable), ``RetryLater`` sends the message back to the queue.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from sauti.auth.public import get_user
from sauti.cache import redis_client
from sauti.notifications import email, logic
from sauti.notifications.fcm import Push, PushResult, build_message, fcm_client
from sauti.notifications.models import NotificationMessage
from sauti.notifications.templates import render_push
from sauti.observability import count, logger, metrics

__all__ = ["DeliveryInProgress", "NotificationMessage", "RetryLater", "backoff_seconds", "deliver"]

DELIVERED_MEMORY_SECONDS = 14 * 24 * 3600  # longer than SQS keeps a message (and its retries)
CLAIM_SECONDS = 60  # a worker that died mid-send frees the message after this long
URGENT_TOPICS = ("security",)
FIRST_BACKOFF_SECONDS = 15
MAX_BACKOFF_SECONDS = 3600


class DeliveryInProgress(RuntimeError):
    """Another worker holds this message right now; retry it later rather than send it twice."""


class RetryLater(RuntimeError):
    """FCM asked to retry (429, 5xx) or could not be reached: the message goes back to the queue."""

    def __init__(self, retry_after: float | None):
        super().__init__(f"push to retry after {retry_after}s")
        self.retry_after = retry_after


def backoff_seconds(receive_count: int, retry_after: float | None) -> int:
    """Doubling per receive from 15 s, never sooner than FCM's Retry-After, at most an hour."""
    doubling = FIRST_BACKOFF_SECONDS * 2 ** max(0, receive_count - 1)
    return int(min(MAX_BACKOFF_SECONDS, max(doubling, retry_after or 0)))


def deliver(message: NotificationMessage) -> bool:
    """Send the message on its channels; False when it was already delivered (a duplicate)."""
    if message.audience is not None:
        return deliver_release_chunk(message)
    key = f"notification:{message.id}"
    done_key = f"{key}:done"
    redis = redis_client()
    if not redis.set(key, "sending", nx=True, ex=CLAIM_SECONDS):
        if redis.get(key) == "delivered":
            logger.info("duplicate notification ignored", extra={"notification_id": message.id})
            return False
        raise DeliveryInProgress(message.id)
    try:
        message = _with_names(message)
        done = set(redis.smembers(done_key))
        topic = logic.topic_of(message.type)
        user_id = _user_id(message)
        switches = logic.switches_of(user_id) if user_id else {}
        for channel in message.channels:
            if channel in done:
                continue
            if logic.allowed(switches, channel, topic):
                if channel == "email":
                    send_email(message, topic)
                else:
                    send_push(message, topic)
            else:
                logger.info("switched off", extra={"notification_id": message.id, "channel": channel})
            redis.sadd(done_key, channel)
            redis.expire(done_key, DELIVERED_MEMORY_SECONDS)
    except BaseException:
        redis.delete(key)
        count("NotificationsFailed")  # not by type: 11 types are 22 metrics, $6.60 a stack (docs/cost.md)
        raise
    redis.set(key, "delivered", ex=DELIVERED_MEMORY_SECONDS)
    count("NotificationsDelivered")
    return True


def _with_names(message: NotificationMessage) -> NotificationMessage:
    """People's names for ids the data carries (playlists sends ``follower_id`` and ``added_by``)."""
    names = {}
    for id_field, name_field in (("follower_id", "follower_name"), ("added_by", "actor_name")):
        user_id = message.data.get(id_field)
        if user_id and name_field not in message.data:
            user = get_user(str(user_id))
            if user is not None and user.get("display_name"):
                names[name_field] = user["display_name"]
    return message.model_copy(update={"data": {**message.data, **names}}) if names else message


def _user_id(message: NotificationMessage) -> str | None:
    from sauti.ids import canonical_id

    return canonical_id(message.user_id) if message.user_id else None


# -- email -----------------------------------------------------------------------------------------


def send_email(message: NotificationMessage, topic: str | None = None) -> None:
    recipient = _recipient(message)
    if recipient is None:
        logger.info(
            "email skipped: no address, or the user is deleted or has none",
            extra={"notification_id": message.id, "type": message.type},
        )
        return
    address, data = recipient
    if logic.is_suppressed(address):
        logger.info("email skipped: address suppressed", extra={"notification_id": message.id})
        metrics.add_metric(name="EmailsSuppressed", unit=MetricUnit.Count, value=1)
        return
    user_id = _user_id(message)
    unsubscribe = (
        email.unsubscribe_url(user_id, topic)
        if user_id and topic and not logic.is_transactional(topic)
        else None
    )
    email.send(email.compose(message.type, address, data, unsubscribe=unsubscribe))
    metrics.add_metric(name="EmailsSent", unit=MetricUnit.Count, value=1)


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


# -- push ------------------------------------------------------------------------------------------


def _pushes(rows: list[dict[str, Any]], message: NotificationMessage, topic: str | None) -> list[Push]:
    title, body = render_push(message.type, message.data)
    data = {"type": message.type, "notification_id": message.id, **_push_data(message.data)}
    collapse = message.data.get("release") or None
    return [
        Push(
            row["token"],
            row["platform"],
            build_message(
                row["token"],
                row["platform"],
                title,
                body,
                data,
                topic=topic,
                collapse_key=collapse,
                urgent=topic in URGENT_TOPICS,
            ),
        )
        for row in rows
    ]


def _push_data(data: dict[str, Any]) -> dict[str, Any]:
    """The few ids an app needs to open the right screen (FCM data values are strings, 4 KB in all)."""
    keys = ("kind", "id", "artist_id", "playlist_id", "release")
    return {key: str(data[key]) for key in keys if data.get(key) is not None}


def _settle(results: list[PushResult]) -> tuple[bool, bool, list[str], float | None]:
    """(any device took it, FCM asked to retry, dead tokens, the longest Retry-After asked)."""
    sent = any(result.outcome == "sent" for result in results)
    retry = [result for result in results if result.outcome == "retry"]
    dead = [result.token for result in results if result.outcome == "dead"]
    waits = [result.retry_after for result in retry if result.retry_after is not None]
    return sent, bool(retry), dead, max(waits) if waits else None


def _count_sent(results: list[PushResult]) -> None:
    metrics.add_metric(
        name="PushesSent", unit=MetricUnit.Count, value=sum(result.outcome == "sent" for result in results)
    )


def send_push(message: NotificationMessage, topic: str | None) -> None:
    user_id = _user_id(message)
    if not user_id:
        return
    rows = logic.tokens_of([user_id])
    if not rows:
        return
    results = fcm_client().send_all(_pushes(rows, message, topic))
    _count_sent(results)
    sent, retry, dead, wait = _settle(results)
    if dead:
        logic.forget_dead_tokens(dead)
        metrics.add_metric(name="PushTokensForgotten", unit=MetricUnit.Count, value=len(dead))
    if retry and not sent:
        raise RetryLater(wait)


def deliver_release_chunk(message: NotificationMessage) -> bool:
    """One chunk of a release's followers: each claimed, pushed, then settled (sent, or given back)."""
    assert message.audience is not None
    release = str(message.data.get("release") or "")
    if not release:
        logger.error("fan-out chunk without a release dropped", extra={"notification_id": message.id})
        return False
    audience = message.audience
    claimed = logic.claim_release_recipients(release, audience.followers_of, audience.after, audience.through)
    if not claimed:
        return False
    rows = logic.tokens_of(claimed)
    results = fcm_client().send_all(_pushes(rows, message, "new_releases"))
    _count_sent(results)
    by_user: dict[str, list[PushResult]] = {}
    for row, result in zip(rows, results, strict=True):
        by_user.setdefault(row["user_id"], []).append(result)
    done, retry, dead, waits = [], [], [], []
    for user_id in claimed:
        sent, wants_retry, user_dead, wait = _settle(by_user.get(user_id, []))
        dead += user_dead
        if wants_retry and not sent:
            retry.append(user_id)
            waits.append(wait or 0.0)
        else:
            done.append(user_id)
    logic.settle_release(release, done, retry, dead)
    if dead:
        metrics.add_metric(name="PushTokensForgotten", unit=MetricUnit.Count, value=len(dead))
    if retry:
        raise RetryLater(max(waits) or None)
    return True
