"""Accounts through the HTTP layer: sign-up, login, /me, profile changes, deletion, suspension."""

from __future__ import annotations

import jwt
import pytest
from argon2 import PasswordHasher

from helpers import assert_problem
from sauti_dev import sql

PASSWORD = "correct horse battery staple"  # the conftest default
FULLWIDTH_ZAWADI = "  \uff3a\uff21\uff37\uff21\uff24\uff29"


def test_signup_answers_the_user_and_a_token_pair(api, signup):
    account = signup(email="Amani@Example.com")

    assert account["user"]["email"] == "amani@example.com"
    assert account["user"]["display_name"] == "Amani Otieno"
    assert account["token_type"] == "Bearer"
    assert account["expires_in"] == 900
    assert account["refresh_token"]
    claims = jwt.decode(account["access_token"], options={"verify_signature": False})
    assert claims["sub"] == account["user"]["id"]
    assert {"iss", "aud", "iat", "exp", "roles", "sid"} <= claims.keys()
    assert jwt.get_unverified_header(account["access_token"])["kid"]


def test_emails_are_unique_whatever_their_case_or_unicode_form(api, signup):
    signup(email="zawadi@example.com")

    # fullwidth letters NFKC-normalise to ASCII; case and spaces do not matter
    again = api.post(
        "/auth/signup",
        json={"email": FULLWIDTH_ZAWADI + "@Example.COM ", "password": PASSWORD, "display_name": "Other"},
    )

    assert_problem(again, 409, "email_taken")


def test_display_names_and_passwords_are_unicode_normalised(api, signup, login):
    # "ﬁ" (U+FB01) is NFKC "fi"; the password typed either way is the same password
    account = signup(display_name="  \uff2b\uff49\uff50   Ruto ", password="ﬁne silver mountain river")

    assert account["user"]["display_name"] == "Kip Ruto"
    assert login(account["email"], "fine silver mountain river").status == 200


def test_signup_refuses_weak_passwords_with_nist_rules(api):
    def attempt(password: str, email: str = "weak@example.com") -> dict:
        response = api.post(
            "/auth/signup", json={"email": email, "password": password, "display_name": "Weak Pass"}
        )
        return assert_problem(response, 422, "weak_password")

    assert attempt("short1!")["reason"] == "too_short"
    assert attempt("password123")["reason"] == "too_common"
    assert attempt("Iloveyou2024")["reason"] == "too_common"
    assert attempt("aaaaaaaaaaaa")["reason"] == "too_predictable"
    assert attempt("weak@example.com")["reason"] == "too_personal"
    assert attempt("weakling", email="weakling@example.com")["reason"] == "too_personal"
    # no composition rules: a long lower-case passphrase is fine, and so is a 200-character one
    ok = api.post(
        "/auth/signup",
        json={"email": "ok@example.com", "password": "the sea is warm at dawn " * 8, "display_name": "Ok"},
    )
    assert ok.status == 201


def test_signup_fields_are_validated(api):
    response = api.post(
        "/auth/signup", json={"email": "not-an-email", "password": PASSWORD, "display_name": ""}
    )

    problem = assert_problem(response, 422, "validation_error")
    assert {error["field"] for error in problem["errors"]} == {"email", "display_name"}


def test_login_answers_the_same_shape_as_signup(signup, login):
    account = signup()

    response = login(account["email"].upper())

    assert response.status == 200
    body = response.json()
    assert body["user"] == account["user"]
    assert {"access_token", "refresh_token", "token_type", "expires_in"} <= body.keys()


def test_wrong_password_and_unknown_email_are_the_same_401(signup, login):
    account = signup()

    wrong_password = login(account["email"], "not the right passphrase")
    unknown_email = login("nobody-here@example.com", "not the right passphrase")
    malformed_email = login("nobody", "not the right passphrase")

    bodies = [
        assert_problem(r, 401, "invalid_credentials")
        for r in (wrong_password, unknown_email, malformed_email)
    ]
    assert bodies[0] == bodies[1] == bodies[2]


def test_unknown_emails_still_cost_one_argon2_check(stack):
    from sauti.auth import hashing, logic
    from sauti.auth.errors import InvalidCredentials

    checked: list[str | None] = []

    def counting(stored_hash: str | None, password: str) -> bool:
        checked.append(stored_hash)
        return hashing.verify_password(stored_hash, password)

    with pytest.raises(InvalidCredentials):
        logic.login("nobody-here@example.com", PASSWORD, logic.Client("198.51.100.7"), verify=counting)

    assert checked == [None]  # verify_password then checks the dummy hash: same cost


def test_a_hash_made_with_older_parameters_is_replaced_at_login(new_user, login):
    user = new_user()
    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    sql.execute("UPDATE users SET password_hash = %s WHERE id = %s", (old, user.id))

    assert login(user.email).status == 200

    stored = sql.fetch_one("SELECT password_hash FROM users WHERE id = %s", (user.id,))["password_hash"]
    assert stored != old
    assert "m=19456,t=2,p=1" in stored and stored.startswith("$argon2id$")


def test_me_shows_roles_plan_entitlements_and_subscription(api, new_user, make_premium):
    user = new_user(roles=("artist",))

    free = api.get("/me", token=user.token).json()
    make_premium(user.id)
    premium = api.get("/me", token=user.token).json()

    assert free["id"] == user.id
    assert free["email"] == user.email
    assert free["roles"] == ["artist"]
    assert free["plan"] == "free"
    assert free["entitlements"] == {
        "ads": True,
        "background_playback": False,
        "offline_downloads": False,
        "public_playlists": False,
    }
    assert free["subscription"] is None
    assert premium["plan"] == "premium"
    assert premium["entitlements"]["offline_downloads"] is True
    assert premium["subscription"]["status"] == "active"
    assert premium["subscription"]["source"] == "stripe"
    assert {"current_period_end", "grace_until"} <= premium["subscription"].keys()


def test_me_needs_a_token(api):
    response = api.get("/me")

    assert response.status == 401
    assert response.json() == {"message": "Unauthorized"}


def test_patch_me_changes_the_display_name(api, new_user):
    user = new_user()

    response = api.patch("/me", json={"display_name": "  Wanjiru\tK. "}, token=user.token)

    assert response.status == 200
    assert response.json()["display_name"] == "Wanjiru K."
    assert api.get("/me", token=user.token).json()["display_name"] == "Wanjiru K."
    assert_problem(api.patch("/me", json={"display_name": "   "}, token=user.token), 422, "validation_error")


def test_delete_me_anonymises_the_account_and_ends_its_sessions(api, signup, login, stack):
    account = signup()
    other_session = login(account["email"]).json()

    response = api.delete("/me", token=account["access_token"])

    assert response.status == 204
    row = sql.fetch_one("SELECT * FROM users WHERE id = %s", (account["user"]["id"],))
    assert row["email"] is None and row["password_hash"] is None
    assert row["display_name"] == "Deleted user" and row["deleted_at"] is not None
    assert sql.fetch_all("SELECT id FROM auth_sessions WHERE user_id = %s", (row["id"],)) == []
    for token in (account["refresh_token"], other_session["refresh_token"]):
        assert_problem(api.post("/auth/refresh", json={"refresh_token": token}), 401)
    assert_problem(login(account["email"]), 401, "invalid_credentials")
    assert_problem(api.get("/me", token=account["access_token"]), 401, "account_unavailable")
    # the address is free again
    assert (
        api.post(
            "/auth/signup", json={"email": account["email"], "password": PASSWORD, "display_name": "New"}
        ).status
        == 201
    )


def test_a_suspended_user_can_neither_log_in_nor_refresh(api, signup, login):
    account = signup()
    sql.execute("UPDATE users SET suspended_at = now() WHERE id = %s", (account["user"]["id"],))

    assert_problem(login(account["email"]), 403, "account_suspended")
    assert_problem(
        api.post("/auth/refresh", json={"refresh_token": account["refresh_token"]}), 403, "account_suspended"
    )
    # and the session is gone for good, even once the suspension is lifted
    sql.execute("UPDATE users SET suspended_at = NULL WHERE id = %s", (account["user"]["id"],))
    assert_problem(api.post("/auth/refresh", json={"refresh_token": account["refresh_token"]}), 401)


def test_suspending_through_the_module_function_ends_every_session(api, signup):
    from sauti.auth.logic import suspend_user

    account = signup()

    suspend_user(account["user"]["id"])

    assert_problem(api.post("/auth/refresh", json={"refresh_token": account["refresh_token"]}), 401)


def test_nothing_a_client_sends_to_signup_or_login_is_a_500(api):
    for body in (b"{", b"[]", b'{"email": 5}', b'{"email": "a@b.co", "password": null}', b'"x"'):
        for path in ("/auth/signup", "/auth/login", "/auth/refresh", "/auth/password/reset"):
            response = api.post(path, body=body)
            assert response.status in (400, 422), (path, body, response.body)


def test_the_sample_events_invoke_the_function(functions):
    from helpers import sample_event
    from sauti_dev.gateway import _to_response

    signed_up = _to_response(functions.invoke("AuthFunction", sample_event("AuthFunction.signup.json")))
    logged_in = _to_response(functions.invoke("AuthFunction", sample_event("AuthFunction.login.json")))
    refreshed = _to_response(functions.invoke("AuthFunction", sample_event("AuthFunction.refresh.json")))
    me = _to_response(functions.invoke("AuthFunction", sample_event("AuthFunction.me.json")))

    assert signed_up.status == 201
    assert logged_in.status == 200
    assert logged_in.json()["user"]["email"] == "amani@example.com"
    assert_problem(refreshed, 401, "invalid_refresh_token")  # the sample's token is a placeholder
    assert_problem(me, 401, "account_unavailable")  # the sample's user does not exist here


def test_control_characters_in_emails_and_device_names_are_422(api):
    def signup_with(**fields):
        body = {"email": "ctrl@example.com", "password": PASSWORD, "display_name": "Ctrl", **fields}
        return api.post("/auth/signup", json=body)

    for email in ("ctrl\x07@example.com", "ctrl@exa\x1bmple.com", "ctrl\u200b@example.com"):
        problem = assert_problem(signup_with(email=email), 422, "validation_error")
        assert [error["field"] for error in problem["errors"]] == ["email"]
    # A reset request takes any text (its document says so): one that is no address matches no account.
    assert api.post("/auth/password/forgot", json={"email": "a\x01b@example.com"}).status == 202
    for name in ("Amani\x1b[31mphone", "\x7f"):
        problem = assert_problem(signup_with(device_name=name), 422, "validation_error")
        assert [error["field"] for error in problem["errors"]] == ["device_name"]
    assert_problem(signup_with(device_name="Amani\x00phone"), 422, "validation_error")  # refused before auth
    account = signup_with(device_name="  Amani's   phone ")
    assert account.status == 201
    sessions = api.get("/me/sessions", token=account.json()["access_token"]).json()["items"]
    assert sessions[0]["device"]["name"] == "Amani's phone"


def test_control_characters_are_stripped_from_the_stored_user_agent(api, signup):
    account = signup()

    response = api.post(
        "/auth/login",
        json={"email": account["email"], "password": PASSWORD},
        headers={"user-agent": "Sauti/1.0\x00 (Android 15)\x1b[2J\x07"},
    )

    assert response.status == 200
    row = sql.fetch_one(
        "SELECT user_agent FROM auth_sessions WHERE user_id = %s ORDER BY created_at DESC LIMIT 1",
        (account["user"]["id"],),
    )
    assert row["user_agent"] == "Sauti/1.0 (Android 15)[2J"
    control_only = api.post(
        "/auth/login",
        json={"email": account["email"], "password": PASSWORD},
        headers={"user-agent": "\x00\x01"},
    )
    assert control_only.status == 200
