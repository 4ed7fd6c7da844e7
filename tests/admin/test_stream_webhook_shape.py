"""Stream's webhook, correctly signed but odd: a payload that is not the shape Stream sends, or a "ready"
that cannot be applied, is a 4xx (Cloudflare stops retrying) and changes nothing; never a 500."""

from __future__ import annotations

import pytest

from helpers import assert_problem


@pytest.fixture
def video(api, admins, catalog, stream):
    created = api.post(
        "/admin/videos",
        json={"artist_id": catalog.artist_id, "title": "Pwani (video)"},
        token=admins["content_manager"].token,
    )
    assert created.status == 201, created.body
    return created.json()["video"]


def _deliver(api, stream, payload):
    body, headers = stream.signed(payload)
    return api.request("POST", "/webhooks/stream", body=body, headers=headers)


ODD = {
    "status as a string": {"status": "ready"},
    "status as a list": {"status": ["ready"]},
    "status as a number": {"status": 3},
    "state as a number": {"status": {"state": 5}},
    "duration as true": {"duration": True},
    "duration as a string": {"duration": "184.2"},
    "duration as a list": {"duration": [184.2]},
    "duration unknown": {"duration": -1},
    "duration zero": {"duration": 0},
    "duration of years": {"duration": 1e12},
    "uid as a number": {"uid": 7},
    "no uid": {"uid": None},
    "readyToStream as a string": {"readyToStream": "yes"},
    "thumbnail as an object": {"thumbnail": {"url": "x"}},
}


@pytest.mark.parametrize("change", ODD.values(), ids=ODD.keys())
def test_a_signed_notification_of_the_wrong_shape_is_422_and_changes_nothing(
    api, admins, stream, video, change
):
    payload = {**stream.notification(video["stream_uid"]), **change}
    if change.get("uid", "") is None:
        del payload["uid"]

    problem = assert_problem(_deliver(api, stream, payload), 422, "validation_error")

    assert "Traceback" not in str(problem)
    ready = api.get(f"/admin/videos/{video['id']}", token=admins["content_manager"].token).json()
    assert ready["ready"] is False and ready["duration_ms"] is None


def test_an_error_notification_and_an_unknown_video_are_received_and_not_applied(api, admins, stream, video):
    error = {
        **stream.notification(video["stream_uid"]),
        "readyToStream": False,
        "status": {"state": "error", "errorReasonCode": "ERR_DURATION_EXCEED_CONSTRAINT"},
        "duration": -1,
    }
    unknown = stream.notification("0" * 32)

    for payload in (error, unknown):
        answer = _deliver(api, stream, payload)
        assert answer.status == 200, answer.body
        assert answer.json() == {"received": True, "applied": False}
    assert (
        api.get(f"/admin/videos/{video['id']}", token=admins["content_manager"].token).json()["ready"]
        is False
    )


def test_a_ready_notification_applies_its_duration(api, admins, stream, video):
    answer = _deliver(api, stream, {**stream.notification(video["stream_uid"]), "duration": 61})

    assert answer.status == 200 and answer.json()["applied"] is True
    ready = api.get(f"/admin/videos/{video['id']}", token=admins["content_manager"].token).json()
    assert ready["ready"] is True and ready["duration_ms"] == 61_000
