"""Roles: `sauti grant-role EMAIL ROLE` and the roles in tokens and /me."""

from __future__ import annotations

import jwt

from sauti_dev.cli import main


def test_grant_role_reaches_me_and_the_next_tokens(api, signup, capsys):
    account = signup(email="First.Admin@example.com")

    assert main(["grant-role", "first.admin@EXAMPLE.com", "super_admin"]) == 0
    assert main(["grant-role", "first.admin@example.com", "moderator"]) == 0

    assert "super_admin" in capsys.readouterr().out
    refreshed = api.post("/auth/refresh", json={"refresh_token": account["refresh_token"]}).json()
    assert jwt.decode(refreshed["access_token"], options={"verify_signature": False})["roles"] == [
        "moderator",
        "super_admin",
    ]
    assert api.get("/me", token=refreshed["access_token"]).json()["roles"] == ["moderator", "super_admin"]


def test_revoke_role_takes_it_away(api, new_user):
    user = new_user(roles=("artist", "moderator"))

    assert main(["revoke-role", user.email, "moderator"]) == 0

    assert api.get("/me", token=user.token).json()["roles"] == ["artist"]


def test_a_role_change_from_the_shell_is_audited_as_the_command(new_user):
    from sauti_dev import sql

    user = new_user()
    assert main(["grant-role", user.email, "moderator"]) == 0
    assert main(["revoke-role", user.email, "moderator"]) == 0

    entries = sql.fetch_all(
        "SELECT actor_id, system_actor, action, after FROM audit_log WHERE target_id = %s ORDER BY id",
        (user.id,),
    )
    assert [(e["actor_id"], e["system_actor"], e["action"]) for e in entries] == [
        (None, "sauti grant-role", "user.grant_role"),
        (None, "sauti revoke-role", "user.revoke_role"),
    ]
    assert entries[0]["after"]["roles"] == ["moderator"]


def test_grant_role_to_an_unknown_email_fails_cleanly(capsys):
    assert main(["grant-role", "nobody@example.com", "artist"]) == 1
    assert "no account" in capsys.readouterr().out


def test_the_demo_accounts_seed_twice_and_log_in(login):
    import importlib

    seed = importlib.import_module("sauti_dev.seeds.01_auth").seed
    seed()
    seed()

    admin = login("admin@sauti.local", "sauti demo password")
    assert admin.status == 200
    assert jwt.decode(admin.json()["access_token"], options={"verify_signature": False})["roles"] == [
        "super_admin"
    ]
