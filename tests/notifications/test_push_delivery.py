"""Push through the fake FCM: one push per follower per release, never twice, never to a dead token,
retried when FCM asks, with one access token reused across messages."""

from __future__ import annotations

from notify_helpers import catalog_changed, queued

from sauti.notify import notification_message


def _register(api, user, token: str, platform: str = "android") -> None:
    response = api.post("/me/push-tokens", json={"token": token, "platform": platform}, token=user.token)
    assert response.status in (200, 201), response.body


def _follow(api, user, artist_id: str) -> None:
    assert api.put(f"/me/following/artists/{artist_id}", token=user.token).status == 204


def _publish(functions, stack, kind: str, item_id: str, artist_id: str) -> list[dict]:
    """catalog.changed reaches the notifications events function; answers the chunks it queued."""
    functions.invoke("NotificationsEventsFunction", catalog_changed(kind, item_id, artist_id))
    return queued(stack)


def test_a_follower_gets_one_push_for_a_new_release_and_never_a_second(
    api, functions, stack, catalog, new_user, worker, fcm
):
    fan, other = new_user(), new_user()
    _register(api, fan, "fan-phone", "ios")
    _register(api, other, "other-phone")
    _follow(api, fan, catalog.artist_id)
    song_id = catalog.song("Mawimbi")

    chunks = _publish(functions, stack, "song", song_id, catalog.artist_id)
    assert worker.run(*chunks) == {"batchItemFailures": []}
    # SQS redelivers the same chunk; the release is published a second time
    assert worker.run(*chunks) == {"batchItemFailures": []}
    assert worker.run(*_publish(functions, stack, "song", song_id, catalog.artist_id)) == {
        "batchItemFailures": []
    }

    [push] = fcm.received()
    message = push["message"]
    assert message["token"] == "fan-phone"
    assert message["notification"] == {"title": "New from Amani Wave", "body": "Mawimbi is out now."}
    assert message["data"]["id"] == song_id and message["data"]["kind"] == "song"
    assert message["apns"]["payload"]["aps"]["thread-id"] == "new_releases"
    assert "android" not in message and "webpush" not in message
    assert fcm.received("other-phone") == []


def test_each_platform_gets_its_own_payload(api, functions, stack, catalog, new_user, worker, fcm):
    for platform in ("ios", "android", "web"):
        fan = new_user()
        _register(api, fan, f"{platform}-token", platform)
        _follow(api, fan, catalog.artist_id)

    worker.run(*_publish(functions, stack, "song", catalog.song("Pwani"), catalog.artist_id))

    by_token = {push["message"]["token"]: push["message"] for push in fcm.received()}
    assert by_token["ios-token"]["apns"]["headers"]["apns-push-type"] == "alert"
    assert by_token["android-token"]["android"]["notification"]["channel_id"] == "new_releases"
    assert by_token["web-token"]["webpush"]["headers"]["TTL"] == "86400"


def test_a_release_reaches_every_follower_across_chunks(
    api, functions, stack, catalog, new_user, worker, fcm, monkeypatch
):
    from sauti.config import config

    monkeypatch.setenv("RELEASE_FANOUT_CHUNK", "2")
    config.cache_clear()
    fans = [new_user() for _ in range(5)]
    for index, fan in enumerate(fans):
        _register(api, fan, f"fan-{index}")
        _follow(api, fan, catalog.artist_id)

    chunks = _publish(functions, stack, "song", catalog.song(), catalog.artist_id)
    assert len(chunks) == 3
    worker.run(*reversed(chunks))

    assert sorted(push["message"]["token"] for push in fcm.received()) == [f"fan-{i}" for i in range(5)]


def test_nothing_fans_out_for_drafts_take_downs_or_unknown_songs(
    api, functions, stack, catalog, new_user, fcm
):
    fan = new_user()
    _register(api, fan, "fan")
    _follow(api, fan, catalog.artist_id)
    draft = catalog.song(status="draft")

    for event in (
        catalog_changed("song", draft, catalog.artist_id, change="updated", status="draft"),
        catalog_changed("song", draft, catalog.artist_id, status="draft"),
        catalog_changed("song", catalog.song(), catalog.artist_id, change="taken_down"),
        catalog_changed("song", "00000000-0000-4000-8000-000000000000", catalog.artist_id),
        catalog_changed("album", catalog.album_id, catalog.artist_id),
        {"source": "sauti.catalog", "detail-type": "catalog.changed", "detail": "nonsense"},
    ):
        functions.invoke("NotificationsEventsFunction", event)

    assert queued(stack) == []


def test_an_unregistered_token_is_forgotten_and_not_tried_again(
    api, functions, stack, catalog, new_user, worker, fcm
):
    from sauti import db

    fan = new_user()
    _register(api, fan, "old-phone")
    _register(api, fan, "new-phone")
    _follow(api, fan, catalog.artist_id)
    fcm.unregister("old-phone")

    assert worker.run(*_publish(functions, stack, "song", catalog.song(), catalog.artist_id)) == {
        "batchItemFailures": []
    }
    worker.run(*_publish(functions, stack, "song", catalog.song("Second"), catalog.artist_id))

    tokens = db.fetch_all("SELECT token FROM notification_push_tokens")
    assert tokens == [{"token": "new-phone"}]
    assert len(fcm.received("new-phone")) == 2
    assert fcm.sends == 3  # old-phone was tried once, then forgotten


def test_a_token_fcm_calls_invalid_is_forgotten(api, new_user, worker, fcm):
    from sauti import db

    user = new_user()
    _register(api, user, "bad-token-from-an-old-sdk")
    message = notification_message("playlist.followed", user_id=user.id, channels=("push",), data={})

    assert worker.run(message) == {"batchItemFailures": []}
    assert db.fetch_all("SELECT token FROM notification_push_tokens") == []


def test_429_and_503_go_back_to_the_queue_and_are_sent_on_the_retry(
    api, functions, stack, catalog, new_user, worker, fcm
):
    fan, listener = new_user(), new_user()
    _register(api, fan, "busy-phone")
    _register(api, listener, "listener-phone")
    _follow(api, fan, catalog.artist_id)
    fcm.fail("busy-phone", 429, retry_after="120")
    fcm.fail("listener-phone", 503)
    chunks = _publish(functions, stack, "song", catalog.song(), catalog.artist_id)
    single = notification_message("playlist.followed", user_id=listener.id, channels=("push",), data={})

    first = worker.run(*chunks, single)
    assert len(first["batchItemFailures"]) == 2
    second = worker.run(*chunks, single, receive_count=2)

    assert second == {"batchItemFailures": []}
    assert len(fcm.received("busy-phone")) == 1
    assert len(fcm.received("listener-phone")) == 1


def test_backoff_honours_retry_after_and_doubles_per_receive():
    from sauti.notifications.worker import backoff_seconds as backoff

    assert backoff(1, None) == 15
    assert backoff(3, None) == 60
    assert backoff(1, 120) == 120
    assert backoff(9, None) == 3600


def test_a_retried_message_leaves_the_queue_visible_again_later(api, functions, stack, new_user, fcm):
    """Through the real (moto) queue: the failed message is hidden for Retry-After, not deleted."""
    from sauti.aws import client
    from sauti.notify import publish_notification
    from sauti_dev.queues import drain_once

    user = new_user()
    _register(api, user, "flaky")
    fcm.fail("flaky", 503, retry_after="30")
    publish_notification("playlist.followed", user_id=user.id, channels=("push",), data={})

    assert drain_once(functions, stack.queue_urls) == 1
    url = stack.queue_urls["NotificationsQueue"]
    attributes = client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessagesNotVisible"] == "1"
    assert fcm.received("flaky") == []


def test_one_access_token_serves_many_messages(api, new_user, worker, fcm):
    users = [new_user() for _ in range(3)]
    for index, user in enumerate(users):
        _register(api, user, f"device-{index}")

    for user in users:
        worker.run(notification_message("playlist.followed", user_id=user.id, channels=("push",), data={}))

    assert len(fcm.received()) == 3
    assert fcm.token_requests == 1
    assert fcm.refused_assertions == []


def test_an_access_token_fcm_stops_accepting_is_replaced_once(api, new_user, worker, fcm):
    user = new_user()
    _register(api, user, "device")
    worker.run(notification_message("playlist.followed", user_id=user.id, channels=("push",), data={}))
    fcm.expire_access_tokens()

    worker.run(notification_message("playlist.followed", user_id=user.id, channels=("push",), data={}))

    assert len(fcm.received("device")) == 2
    assert fcm.token_requests == 2


def test_the_fake_refuses_an_assertion_signed_by_another_key(fcm):
    from sauti.notifications.fcm import FcmClient, FcmUnavailable, ServiceAccount, generate_service_account

    stranger = ServiceAccount.parse(generate_service_account(f"{fcm.base_url}/token"))
    client = FcmClient(stranger, fcm.base_url, 2, 5)

    try:
        client.access_token()
        raise AssertionError("a stranger's assertion was accepted")
    except FcmUnavailable:
        pass
    assert fcm.refused_assertions


def test_an_unreachable_fcm_sends_the_message_back_to_the_queue(api, new_user, worker, fcm, monkeypatch):
    from sauti.config import config
    from sauti_dev.services import free_port

    user = new_user()
    _register(api, user, "phone")
    monkeypatch.setenv("FCM_API_BASE", f"http://127.0.0.1:{free_port()}")  # nothing listens there
    config.cache_clear()
    message = notification_message("playlist.followed", user_id=user.id, channels=("push",), data={})

    assert len(worker.run(message)["batchItemFailures"]) == 1
    monkeypatch.undo()
    config.cache_clear()
    assert worker.run(message) == {"batchItemFailures": []}
    assert len(fcm.received("phone")) == 1


def test_retry_after_is_read_as_seconds_or_as_a_date():
    from email.message import Message

    from sauti.notifications.fcm import _retry_after

    def headers(value: str) -> Message:
        message = Message()
        message["Retry-After"] = value
        return message

    assert _retry_after(headers("120")) == 120
    assert 0 < _retry_after(headers("Wed, 21 Oct 2099 07:28:00 GMT")) < 10**10
    assert _retry_after(headers("soon")) is None


def test_catalog_changed_on_the_bus_reaches_the_followers_through_the_template_rule(
    api, functions, stack, catalog, new_user, fcm
):
    """The event as catalog publishes it, on the (moto) bus, through the template's rule and queues."""
    from sauti.events import publish_event
    from sauti_dev.queues import drain_once

    fan = new_user()
    _register(api, fan, "bus-phone")
    _follow(api, fan, catalog.artist_id)
    song_id = catalog.song("Bahari")
    for change, status in (("updated", "published"), ("published", "published")):
        publish_event(
            "catalog",
            "catalog.changed",
            {
                "kind": "song",
                "id": song_id,
                "artist_id": catalog.artist_id,
                "status": status,
                "change": change,
            },
        )

    while drain_once(functions, stack.queue_urls, rule_queues=stack.rule_queues):
        pass

    [push] = fcm.received("bus-phone")
    assert push["message"]["notification"]["body"] == "Bahari is out now."
