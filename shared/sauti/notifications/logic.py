"""What the notifications module does: push tokens, preferences, follows, the release fan-out, forgetting
a deleted account and suppressing addresses SES reports. Delivery itself is ``sauti.notifications.worker``."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Iterable
from typing import Any

from sauti import db, paging
from sauti.ids import canonical_id
from sauti.notifications import store
from sauti.notifications.errors import ArtistNotFound, InvalidUnsubscribeLink, PushTokenHeld
from sauti.notifications.models import (
    ALWAYS_EMAILED,
    TOPICS,
    ChannelSwitches,
    FollowedArtist,
    FollowedArtistPage,
    Preferences,
    PreferencesChange,
    PushToken,
    RegisterPushToken,
    TopicSwitches,
)
from sauti.notifications.settings import NotificationsSettings
from sauti.observability import logger
from sauti.principal import Principal
from sauti.settings import settings

RELEASE_KINDS = ("song", "video")
FANOUT_NAMESPACE = uuid.UUID("6f1c2a4e-3b7d-4c1e-9a55-0d7e2f1b9c31")

# Which preference topic each message type belongs to; None: account mail (reset, verification), always sent.
TOPIC_OF_TYPE = {
    "auth.password_changed": "security",
    "auth.new_sign_in": "security",
    "catalog.new_release": "new_releases",
}
TOPIC_OF_MODULE = {"billing": "billing", "playlist": "playlist_activity", "product": "product_news"}


def topic_of(message_type: str) -> str | None:
    return TOPIC_OF_TYPE.get(message_type) or TOPIC_OF_MODULE.get(message_type.partition(".")[0])


def allowed(switches: dict[str, bool], channel: str, topic: str | None) -> bool:
    """Whether ``channel`` may carry a message of ``topic`` to someone with these switches."""
    if topic is None or (channel == "email" and topic in ALWAYS_EMAILED):
        return True
    return bool(switches.get(channel, True)) and bool(switches.get(topic, True))


def is_transactional(topic: str | None) -> bool:
    """Mail people cannot unsubscribe from (account, billing, security): no List-Unsubscribe."""
    return topic is None or topic in ALWAYS_EMAILED


HELD = "another account holds this token; its app instance's instance_key moves it"

# -- push tokens -----------------------------------------------------------------------------------


def register_push_token(principal: Principal, body: RegisterPushToken) -> tuple[PushToken, bool]:
    """Register the caller's token; True when it is new to them. A token another account holds moves
    only with the instance key its last registration answered (the app instance that holds it signed
    into another account), else 409 and the holder keeps receiving."""
    limit = settings(NotificationsSettings).push_tokens_per_user
    key = secrets.token_urlsafe(32)
    with db.transaction() as conn:
        holder = store.token_holder(conn, body.token)
        created = holder is None or holder["user_id"] != principal.user_id
        if holder is not None and created and not _proves(body.instance_key, holder["instance_key_hash"]):
            raise PushTokenHeld(HELD)
        taking_from = holder["user_id"] if holder is not None else None
        row = store.register_token(
            conn, principal.user_id, body.token, body.platform, _hash(key), taking_from
        )
        if row is None:  # another account registered it since we looked
            raise PushTokenHeld(HELD)
        store.trim_tokens(conn, principal.user_id, limit)
    return PushToken.model_validate({**row, "instance_key": key}), created


def _hash(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


def _proves(key: str | None, key_hash: bytes | None) -> bool:
    return key is not None and key_hash is not None and hmac.compare_digest(_hash(key), bytes(key_hash))


def delete_push_token(principal: Principal, token: str) -> None:
    """Forget one of the caller's tokens; someone else's token or an unknown one is left alone."""
    with db.transaction() as conn:
        store.delete_token(conn, principal.user_id, token)


def forget_dead_tokens(tokens: Iterable[str]) -> int:
    with db.transaction() as conn:
        return store.forget_tokens(conn, list(tokens))


# -- preferences -----------------------------------------------------------------------------------


def switches_of(user_id: str) -> dict[str, bool]:
    with db.transaction() as conn:
        return store.preferences(conn, user_id)


def _view(switches: dict[str, bool]) -> Preferences:
    return Preferences(
        channels=ChannelSwitches(push=switches["push"], email=switches["email"]),
        topics=TopicSwitches(**{topic: switches[topic] or topic in ALWAYS_EMAILED for topic in TOPICS}),
    )


def get_preferences(principal: Principal) -> Preferences:
    return _view(switches_of(principal.user_id))


def update_preferences(principal: Principal, change: PreferencesChange) -> Preferences:
    with db.transaction() as conn:
        switches = store.preferences(conn, principal.user_id)
        for group in (change.channels, change.topics):
            switches.update({name: value for name, value in group.model_dump().items() if value is not None})
        store.save_preferences(conn, principal.user_id, switches)
    return _view(switches)


def unsubscribe(token: str) -> None:
    """One-click unsubscribe (RFC 8058) from a topic's emails, by the signed link in the email."""
    from sauti.notifications.email import read_unsubscribe_token

    found = read_unsubscribe_token(token)
    user_id = canonical_id(found[0]) if found else None
    if found is None or user_id is None or found[1] not in TOPICS or found[1] in ALWAYS_EMAILED:
        raise InvalidUnsubscribeLink()
    with db.transaction() as conn:
        switches = store.preferences(conn, user_id)
        switches[found[1]] = False
        store.save_preferences(conn, user_id, switches)


# -- following artists -----------------------------------------------------------------------------


def follow_artist(principal: Principal, artist_id: str) -> None:
    from sauti.catalog.logic import artist  # catalog has no public module yet; its read is cached

    key = canonical_id(artist_id)
    if key is None or artist(key) is None:
        raise ArtistNotFound("no such artist")
    with db.transaction() as conn:
        store.follow(conn, principal.user_id, key)


def unfollow_artist(principal: Principal, artist_id: str) -> None:
    key = canonical_id(artist_id)
    if key is None:
        return
    with db.transaction() as conn:
        store.unfollow(conn, principal.user_id, key)


def followed_artists(principal: Principal, limit: int, cursor: str | None) -> FollowedArtistPage:
    after = paging.decode_cursor(cursor)
    with db.transaction() as conn:
        rows = store.followed_artists(conn, principal.user_id, limit + 1, after)
    page = paging.page(
        rows, limit, FollowedArtist.model_validate, lambda row: (row["followed_at"], row["artist_id"])
    )
    return FollowedArtistPage.model_validate(page)


# -- new releases ----------------------------------------------------------------------------------


def release_published(detail: dict[str, Any]) -> int:
    """``catalog.changed`` with change ``published`` of a song or video: queue the fan-out to the
    artist's followers, one message per chunk of followers. Idempotent: the chunks' ids derive from the
    release, and each (release, follower) is sent at most once (the worker claims it first).
    Answers how many chunk messages were queued."""
    from sauti.catalog.logic import song, video
    from sauti.notify import notification_message, publish_messages

    kind, item_id, artist_id = (
        detail.get("kind"),
        canonical_id(detail.get("id")),
        canonical_id(detail.get("artist_id")),
    )
    if detail.get("change") != "published" or kind not in RELEASE_KINDS or not item_id or not artist_id:
        return 0
    if detail.get("status", "published") != "published":
        return 0
    item = song(item_id) if kind == "song" else video(item_id)
    # The event, emitted after catalog's commit, says it is published; a cached copy may still say draft.
    if item is None or item.get("status") == "taken_down":
        logger.info("release not published any more: no fan-out", extra={"kind": kind, "id": item_id})
        return 0
    release_key = f"{kind}:{item_id}"
    chunk = settings(NotificationsSettings).release_fanout_chunk
    with db.transaction() as conn:
        ends = store.follower_boundaries(conn, artist_id, chunk)
    data = {
        "release": release_key,
        "kind": kind,
        "id": item_id,
        "artist_id": artist_id,
        "artist_name": item.get("artist_name") or "",
        "title": item.get("title") or "",
    }
    messages = []
    after: str | None = None
    for through in ends:
        message = notification_message(
            "catalog.new_release",
            user_id=None,
            data=data,
            channels=("push",),
            message_id=str(uuid.uuid5(FANOUT_NAMESPACE, f"{release_key}:{through}")),
        )
        message["audience"] = {"followers_of": artist_id, "after": after, "through": through}
        messages.append(message)
        after = through
    publish_messages(messages)
    logger.info("release fan-out queued", extra={"release": release_key, "chunks": len(messages)})
    return len(messages)


def claim_release_recipients(
    release_key: str, artist_id: str, after: str | None, through: str | None
) -> list[str]:
    with db.transaction() as conn:
        return store.claim_release_recipients(conn, release_key, artist_id, after, through)


def settle_release(release_key: str, done: list[str], retry: list[str], dead_tokens: list[str]) -> None:
    """After a chunk's sends: ``done`` users are never sent this release again; ``retry`` users'
    claims are given back for the message's next try; dead tokens are forgotten."""
    with db.transaction() as conn:
        store.forget_tokens(conn, dead_tokens)
        store.mark_release_sent(conn, release_key, done)
        store.release_claims(conn, release_key, retry)


def tokens_of(user_ids: list[str]) -> list[dict[str, Any]]:
    with db.transaction() as conn:
        return store.tokens_of(conn, user_ids)


# -- accounts and addresses ------------------------------------------------------------------------


def forget_user(user_id: str) -> dict[str, Any]:
    """``user.deleted``: the account's tokens, preferences, follows and delivery records go."""
    key = canonical_id(user_id)
    if key is None:
        return {}
    with db.transaction() as conn:
        return store.forget_user(conn, key)


def suppress_addresses(addresses: Iterable[str], reason: str, feedback_id: str | None) -> int:
    count = 0
    with db.transaction() as conn:
        for address in addresses:
            if address and "@" in address and len(address) <= 320:
                store.suppress(conn, address.strip(), reason, feedback_id)
                count += 1
    return count


def is_suppressed(address: str) -> bool:
    with db.transaction() as conn:
        return store.is_suppressed(conn, address)
