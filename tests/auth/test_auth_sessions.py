"""Refresh-token rotation and reuse detection, logout, the sessions list, and surviving a Redis loss."""

from __future__ import annotations

import uuid

from helpers import assert_problem
from sauti import cache, db
from sauti_dev import sql


def _refresh(api, token: str):
    return api.post("/auth/refresh", json={"refresh_token": token})


def test_refresh_rotates_the_refresh_token(api, signup):
    account = signup()

    first = _refresh(api, account["refresh_token"])
    second = _refresh(api, first.json()["refresh_token"])

    assert first.status == second.status == 200
    tokens = {account["refresh_token"], first.json()["refresh_token"], second.json()["refresh_token"]}
    assert len(tokens) == 3
    assert api.get("/me", token=second.json()["access_token"]).status == 200


def test_replaying_a_rotated_token_revokes_the_whole_session_newest_token_too(api, signup):
    # given a session refreshed twice
    account = signup()
    first = _refresh(api, account["refresh_token"]).json()
    newest = _refresh(api, first["refresh_token"]).json()

    # when the first, already-rotated token comes back (a thief, or the victim after the thief)
    replay = _refresh(api, first["refresh_token"])

    # then it is refused, and so is the newest token of the same session
    assert_problem(replay, 401, "refresh_token_reused")
    assert_problem(_refresh(api, newest["refresh_token"]), 401, "invalid_refresh_token")
    assert_problem(_refresh(api, account["refresh_token"]), 401)
    sessions = api.get("/me/sessions", token=newest["access_token"]).json()["items"]
    assert sessions == []


def test_reuse_in_one_session_leaves_the_other_sessions_alone(api, signup, login):
    account = signup()
    phone = login(account["email"]).json()
    _refresh(api, account["refresh_token"])

    _refresh(api, account["refresh_token"])  # reuse in the sign-up session

    assert _refresh(api, phone["refresh_token"]).status == 200


def test_unknown_and_malformed_refresh_tokens_are_401(api):
    for token in ("", "nodot", "a.b", "x" * 400, f"{uuid.uuid4()}.{uuid.uuid4()}"):
        response = _refresh(api, token)
        assert response.status in (401, 422), token
    assert_problem(_refresh(api, "a.b"), 401, "invalid_refresh_token")


def test_logout_revokes_that_session_only(api, signup, login):
    account = signup()
    tablet = login(account["email"]).json()

    response = api.post("/auth/logout", json={"refresh_token": account["refresh_token"]})

    assert response.status == 204
    assert_problem(_refresh(api, account["refresh_token"]), 401)
    assert _refresh(api, tablet["refresh_token"]).status == 200
    assert api.post("/auth/logout", json={"refresh_token": account["refresh_token"]}).status == 204


def test_sessions_list_shows_device_created_and_last_used(api, signup, login):
    account = signup()
    iphone = api.post(
        "/auth/login",
        json={"email": account["email"], "password": account["password"], "device_name": "Amani's iPhone"},
        headers={"user-agent": "Sauti/1.0 (iPhone; iOS 18.1) CFNetwork/1.0"},
    ).json()
    refreshed = _refresh(api, iphone["refresh_token"]).json()

    listed = api.get("/me/sessions", token=refreshed["access_token"])

    assert listed.status == 200
    items = listed.json()["items"]
    assert listed.json()["next_cursor"] is None
    assert len(items) == 2
    current = next(item for item in items if item["current"])
    assert current["device"] == {
        "platform": "ios",
        "name": "Amani's iPhone",
        "user_agent": "Sauti/1.0 (iPhone; iOS 18.1) CFNetwork/1.0",
    }
    assert current["last_used_at"] > current["created_at"]
    assert {"id", "created_at", "last_used_at", "expires_at"} <= current.keys()


def test_one_session_can_be_revoked(api, signup, login):
    account = signup()
    other = login(account["email"]).json()
    items = api.get("/me/sessions", token=account["access_token"]).json()["items"]
    other_id = next(item["id"] for item in items if not item["current"])

    response = api.delete(f"/me/sessions/{other_id}", token=account["access_token"])

    assert response.status == 204
    assert_problem(_refresh(api, other["refresh_token"]), 401)
    assert _refresh(api, account["refresh_token"]).status == 200
    assert_problem(api.delete(f"/me/sessions/{other_id}", token=account["access_token"]), 404, "not_found")


def test_someone_elses_session_is_not_found(api, signup, new_user):
    victim = signup()
    victim_session = api.get("/me/sessions", token=victim["access_token"]).json()["items"][0]["id"]
    intruder = new_user()

    assert_problem(api.delete(f"/me/sessions/{victim_session}", token=intruder.token), 404, "not_found")
    assert_problem(api.delete("/me/sessions/not-a-uuid", token=intruder.token), 404, "not_found")
    assert _refresh(api, victim["refresh_token"]).status == 200


def test_all_sessions_can_be_revoked_at_once_or_all_but_the_current(api, signup, login):
    account = signup()
    laptop = login(account["email"]).json()
    tv = login(account["email"]).json()

    keep = api.delete("/me/sessions", token=laptop["access_token"], query={"keep_current": "true"})

    assert keep.status == 204
    assert_problem(_refresh(api, account["refresh_token"]), 401)
    assert_problem(_refresh(api, tv["refresh_token"]), 401)
    laptop = _refresh(api, laptop["refresh_token"]).json()

    assert api.delete("/me/sessions", token=laptop["access_token"]).status == 204
    assert_problem(_refresh(api, laptop["refresh_token"]), 401)


def test_sessions_survive_a_redis_loss(api, signup):
    # given a session, rotated once
    account = signup()
    current = _refresh(api, account["refresh_token"]).json()

    # when Redis loses everything (restart without persistence, failover before replication)
    cache.redis_client().flushdb()

    # then the session comes back from PostgreSQL and goes on rotating
    again = _refresh(api, current["refresh_token"])
    assert again.status == 200
    assert _refresh(api, again.json()["refresh_token"]).status == 200


def test_reuse_is_still_detected_after_a_redis_loss(api, signup):
    account = signup()
    newest = _refresh(api, account["refresh_token"]).json()
    cache.redis_client().flushdb()

    assert_problem(_refresh(api, account["refresh_token"]), 401, "refresh_token_reused")
    assert_problem(_refresh(api, newest["refresh_token"]), 401)


def test_redis_holds_only_hashes_of_refresh_tokens(api, signup):
    account = signup()
    family, secret = account["refresh_token"].split(".")

    redis = cache.redis_client()
    stored = " ".join(
        f"{key} {redis.hgetall(key) if key.startswith('auth:session') else redis.get(key)}"
        for key in redis.scan_iter("auth:*")
    )
    row = sql.fetch_one("SELECT family_hash, secret_hash FROM auth_sessions")

    assert family not in stored and secret not in stored
    assert family not in str(row) and secret not in str(row)


def test_an_expired_session_cannot_refresh(api, signup):
    account = signup()
    sql.execute("UPDATE auth_sessions SET idle_expires_at = now() - interval '1 second'")
    cache.redis_client().flushdb()  # Redis would have expired its keys at the same moment

    assert_problem(_refresh(api, account["refresh_token"]), 401, "invalid_refresh_token")


def test_sessions_are_listed_a_page_at_a_time(api, signup, login):
    account = signup()
    for _ in range(4):
        login(account["email"])

    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.get("/me/sessions", token=account["access_token"], query=query)
        assert page.status == 200
        seen += page.json()["items"]
        pages += 1
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break

    assert pages == 3
    assert len({item["id"] for item in seen}) == 5
    assert [item["last_used_at"] for item in seen] == sorted(
        (item["last_used_at"] for item in seen), reverse=True
    )
    assert sum(item["current"] for item in seen) == 1
    for bad in ({"cursor": "not-a-cursor"}, {"cursor": "WyJ4IiwgInkiXQ"}, {"limit": 0}, {"limit": 101}):
        assert_problem(api.get("/me/sessions", token=account["access_token"], query=bad), 422)


def test_logging_in_beyond_the_cap_ends_the_least_recently_used_session(api, signup, login):
    from sauti.auth import sessions

    account = signup()
    user_id = account["user"]["id"]
    for _ in range(sessions.MAX_SESSIONS_PER_USER - 1):
        with db.transaction() as conn:
            sessions.start(conn, user_id, sessions.Device(user_agent="old"))
    least_recent = sql.fetch_one(
        "SELECT id FROM auth_sessions WHERE user_id = %s AND user_agent = 'old' "
        "ORDER BY last_used_at LIMIT 1",
        (user_id,),
    )["id"]
    kept = _refresh(api, account["refresh_token"]).json()  # the sign-up session, oldest but just used

    newest = login(account["email"]).json()

    live = sql.fetch_all("SELECT id FROM auth_sessions WHERE user_id = %s AND revoked_at IS NULL", (user_id,))
    assert len(live) == sessions.MAX_SESSIONS_PER_USER
    assert least_recent not in {row["id"] for row in live}
    assert _refresh(api, kept["refresh_token"]).status == 200
    assert _refresh(api, newest["refresh_token"]).status == 200
