"""Moderation through its effects: takedown, restore, suspension, reports, roles; each audited."""

from __future__ import annotations

import json
from typing import Any

import pytest

from helpers import assert_problem, drain_queue

REASON = {"reason": "copyright claim #42"}


@pytest.fixture
def catalog_events(stack: Any) -> Any:
    """What reaches the bus from sauti.catalog (a rule to a queue of the test's own)."""
    import boto3

    from sauti_dev.stack import LOCAL_EVENT_BUS

    sqs, events = boto3.client("sqs"), boto3.client("events")
    url = sqs.create_queue(QueueName="sauti-test-catalog-events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(
        Name="test-catalog-events",
        EventBusName=LOCAL_EVENT_BUS,
        EventPattern=json.dumps({"source": ["sauti.catalog"]}),
    )
    events.put_targets(
        Rule="test-catalog-events", EventBusName=LOCAL_EVENT_BUS, Targets=[{"Id": "q", "Arn": arn}]
    )
    drain_queue(url)
    return lambda: [message["detail"] for message in drain_queue(url)]


def test_a_taken_down_song_gets_no_new_session_reaches_search_and_comes_back_when_restored(
    api, admins, new_user, catalog, catalog_events, audit_entries
):
    from sauti.catalog import logic

    song_id = catalog.song()
    listener, moderator = new_user(), admins["moderator"]
    assert api.post("/playback/sessions", json={"song_id": song_id}, token=listener.token).status == 201
    catalog_events()

    taken = api.post(f"/admin/songs/{song_id}/takedown", json=REASON, token=moderator.token)

    assert taken.status == 200 and taken.json()["status"] == "taken_down"
    assert_problem(api.post("/playback/sessions", json={"song_id": song_id}, token=listener.token), 404)
    assert logic.song(song_id)["status"] == "taken_down"  # the cache renewals read is current
    assert_problem(api.get(f"/songs/{song_id}", token=listener.token), 404)
    changed = catalog_events()
    assert [(e["kind"], e["id"], e["status"], e["change"]) for e in changed] == [
        ("song", song_id, "taken_down", "taken_down")
    ]

    restored = api.post(
        f"/admin/songs/{song_id}/restore", json={"reason": "claim withdrawn"}, token=moderator.token
    )
    assert restored.status == 200 and restored.json()["status"] == "published"
    assert api.post("/playback/sessions", json={"song_id": song_id}, token=listener.token).status == 201
    assert catalog_events()[0]["change"] == "restored"
    entries = audit_entries(song_id)
    assert [(e["action"], e["actor_id"], e["reason"]) for e in entries] == [
        ("song.takedown", moderator.id, REASON["reason"]),
        ("song.restore", moderator.id, "claim withdrawn"),
    ]
    assert entries[0]["before"]["status"] == "published" and entries[0]["after"]["status"] == "taken_down"


def test_a_suspended_user_cannot_log_in_and_loses_every_session_until_unsuspended(api, admins, audit_entries):
    signup = api.post(
        "/auth/signup",
        json={"email": "zawadi@example.com", "password": "correct horse 42", "display_name": "Z"},
    )
    assert signup.status == 201, signup.body
    user_id, refresh = signup.json()["user"]["id"], signup.json()["refresh_token"]
    moderator = admins["moderator"]

    suspended = api.post(f"/admin/users/{user_id}/suspend", json={"reason": "spam"}, token=moderator.token)

    assert suspended.status == 200 and suspended.json()["suspended"] is True
    login = api.post("/auth/login", json={"email": "zawadi@example.com", "password": "correct horse 42"})
    assert_problem(login, 403, "account_suspended")
    assert api.post("/auth/refresh", json={"refresh_token": refresh}).status in (401, 403)
    assert (
        api.post(f"/admin/users/{user_id}/unsuspend", json={"reason": "appeal"}, token=moderator.token).status
        == 200
    )
    assert (
        api.post("/auth/login", json={"email": "zawadi@example.com", "password": "correct horse 42"}).status
        == 200
    )
    assert [e["action"] for e in audit_entries(user_id)] == ["user.suspend", "user.unsuspend"]
    assert audit_entries(user_id)[0]["after"]["suspended"] is True


def test_reports_one_open_per_reporter_and_target_then_resolved_by_a_takedown(
    api, admins, new_user, catalog, audit_entries
):
    song_id = catalog.song()
    reporter = new_user()
    body = {"target_type": "song", "target_id": song_id, "reason": "not their song"}

    first = api.post("/reports", json=body, token=reporter.token)
    second = api.post("/reports", json=body, token=reporter.token)

    assert first.status == 202 and second.status == 202
    assert first.json()["id"] == second.json()["id"]
    assert_problem(
        api.post(
            "/reports", json={**body, "target_id": str(__import__("uuid").uuid4())}, token=reporter.token
        ),
        404,
    )
    moderator = admins["moderator"]
    queue = api.get("/admin/reports", query={"status": "open"}, token=moderator.token).json()
    assert [item["id"] for item in queue["items"]] == [first.json()["id"]]

    resolved = api.post(
        f"/admin/reports/{first.json()['id']}/resolve",
        json={"action": "takedown", "note": "ok"},
        token=moderator.token,
    )

    assert resolved.status == 200 and resolved.json()["status"] == "resolved"
    assert_problem(api.post("/playback/sessions", json={"song_id": song_id}, token=reporter.token), 404)
    again = api.post(
        f"/admin/reports/{first.json()['id']}/resolve", json={"action": "dismiss"}, token=moderator.token
    )
    assert_problem(again, 409)
    assert api.get("/admin/reports", query={"status": "open"}, token=moderator.token).json()["items"] == []
    assert [e["action"] for e in audit_entries(song_id)] == ["song.takedown"]
    assert [e["action"] for e in audit_entries(first.json()["id"])] == ["report.resolve"]
    assert api.post("/reports", json=body, token=reporter.token).json()["id"] != first.json()["id"]


def test_a_reported_user_is_suspended_by_resolving_the_report(api, admins, new_user):
    reporter, offender = new_user(), new_user()
    report = api.post(
        "/reports",
        json={"target_type": "user", "target_id": offender.id, "reason": "abuse"},
        token=reporter.token,
    ).json()
    resolved = api.post(
        f"/admin/reports/{report['id']}/resolve",
        json={"action": "suspend"},
        token=admins["super_admin"].token,
    )
    assert resolved.status == 200
    users = api.get("/admin/users", query={"email": offender.email}, token=admins["moderator"].token).json()
    assert users["items"][0]["suspended"] is True


def test_reports_are_throttled(api, new_user, catalog):
    reporter = new_user()
    statuses = [
        api.post(
            "/reports",
            json={"target_type": "song", "target_id": catalog.song(), "reason": "spam"},
            token=reporter.token,
        ).status
        for _ in range(21)
    ]
    assert statuses[:20] == [202] * 20
    assert statuses[20] == 429


def test_super_admins_grant_and_revoke_admin_roles_but_never_the_last_super_admin(api, admins, audit_entries):
    boss, user = admins["super_admin"], admins["user"]

    granted = api.put(f"/admin/users/{user.id}/roles/super_admin", token=boss.token)
    assert granted.status == 200 and "super_admin" in granted.json()["roles"]
    assert_problem(
        api.put(f"/admin/users/{admins['moderator'].id}/roles/artist", token=boss.token), 422
    )  # artist: by linking
    assert (
        api.delete(f"/admin/users/{boss.id}/roles/super_admin", token=boss.token).status == 200
    )  # steps down
    last = api.delete(f"/admin/users/{user.id}/roles/super_admin", token=user.token)

    assert_problem(last, 409, "last_super_admin")
    holders = api.get("/admin/users", query={"role": "super_admin"}, token=user.token).json()["items"]
    assert [item["id"] for item in holders] == [user.id]
    assert [e["action"] for e in audit_entries(user.id)] == ["user.grant_role"]
    assert audit_entries(boss.id)[0]["after"]["roles"] == []


def test_linking_an_account_to_an_artist_gives_it_the_artist_role(
    api, admins, new_user, catalog, audit_entries
):
    account = new_user()
    linked = api.put(
        f"/admin/artists/{catalog.artist_id}/account",
        json={"email": account.email},
        token=admins["content_manager"].token,
    )
    assert linked.status == 200 and linked.json()["user_id"] == account.id
    users = api.get(
        "/admin/users", query={"email": account.email}, token=admins["content_manager"].token
    ).json()
    assert users["items"][0]["roles"] == ["artist"]
    assert [e["action"] for e in audit_entries(catalog.artist_id)] == ["artist.link_account"]


def test_the_audit_log_is_append_only_in_the_database_itself(api, admins, catalog):
    import psycopg

    from sauti_dev import sql

    api.post(f"/admin/songs/{catalog.song()}/takedown", json=REASON, token=admins["moderator"].token)
    for statement in ("UPDATE audit_log SET reason = 'nothing happened'", "DELETE FROM audit_log"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            sql.execute(statement)
    assert sql.fetch_one("SELECT reason FROM audit_log")["reason"] == REASON["reason"]


def test_every_audit_entry_names_exactly_one_actor_a_person_or_a_system(api, admins, catalog):
    import psycopg

    from sauti_dev import sql

    api.post(f"/admin/songs/{catalog.song()}/takedown", json=REASON, token=admins["moderator"].token)
    entry = sql.fetch_one("SELECT actor_id::text, system_actor FROM audit_log")
    assert entry == {"actor_id": admins["moderator"].id, "system_actor": None}
    insert = "INSERT INTO audit_log (actor_id, system_actor, action, target_type) VALUES (%s, %s, 'x', 'y')"
    for nobody_or_both in ((None, None), (admins["moderator"].id, "stream_webhook")):
        with pytest.raises(psycopg.errors.CheckViolation):
            sql.execute(insert, nobody_or_both)
    sql.execute(insert, (None, "sauti catalog import"))


def test_the_cli_import_is_audited_as_the_command(admins, audit_entries):
    from sauti.admin.audit import CLI_IMPORT
    from sauti.admin.logic import import_lines

    import_lines(CLI_IMPORT, [b'{"type": "artist", "ref": "a1", "name": "Ze Ramalho"}'])
    entry = audit_entries(action="catalog.import")[0]
    assert entry["actor_id"] is None and entry["system_actor"] == "sauti catalog import"


def test_super_admins_read_the_whole_audit_log_the_others_their_own_paged_and_filtered(api, admins, catalog):
    moderator, manager, boss = admins["moderator"], admins["content_manager"], admins["super_admin"]
    songs = [catalog.song() for _ in range(3)]
    for song_id in songs:
        api.post(f"/admin/songs/{song_id}/takedown", json=REASON, token=moderator.token)
    api.post("/admin/artists", json={"name": "New"}, token=manager.token)

    everything = api.get("/admin/audit-log", token=boss.token).json()["items"]
    assert [e["action"] for e in everything] == ["artist.create"] + ["song.takedown"] * 3
    own = api.get("/admin/audit-log", query={"actor": boss.id}, token=moderator.token).json()["items"]
    assert {e["actor_id"] for e in own} == {moderator.id} and len(own) == 3
    first = api.get(
        "/admin/audit-log", query={"limit": 2, "action": "song.takedown"}, token=boss.token
    ).json()
    rest = api.get(
        "/admin/audit-log",
        query={"limit": 2, "action": "song.takedown", "cursor": first["next_cursor"]},
        token=boss.token,
    ).json()
    assert [e["target_id"] for e in first["items"] + rest["items"]] == songs[::-1]
    assert rest["next_cursor"] is None
    by_target = api.get("/admin/audit-log", query={"target_id": songs[0]}, token=boss.token).json()["items"]
    assert len(by_target) == 1


def test_the_audit_log_filters_by_utc_day_both_ends_inclusive(api, admins):
    from sauti_dev import sql

    boss = admins["super_admin"]
    for day, at in (
        ("first", "2026-01-01 23:59:59+00"),
        ("second", "2026-01-02 00:00:00+00"),
        ("third", "2026-01-03 12:00+00"),
    ):
        sql.execute(
            "INSERT INTO audit_log (actor_id, action, target_type, target_id, created_at)"
            " VALUES (%s, 'test.dated', 'song', %s, %s)",
            (boss.id, day, at),
        )

    def days(**query):
        found = api.get("/admin/audit-log", query={"action": "test.dated", **query}, token=boss.token)
        assert found.status == 200, found.body
        return [entry["target_id"] for entry in found.json()["items"]]

    assert days(since="2026-01-02") == ["third", "second"]
    assert days(until="2026-01-01") == ["first"]
    assert days(since="2026-01-02", until="2026-01-02") == ["second"]
    assert days(since="2026-01-03", until="2026-01-01") == []
    assert api.get("/admin/audit-log", query={"since": "yesterday"}, token=boss.token).status == 422
