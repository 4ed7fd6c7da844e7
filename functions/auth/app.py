"""Auth & users: sign-up, login, refresh, logout, the account (/me), sessions, password reset,
email verification, and the published signing keys the JWT authorizer reads."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from sauti.auth import logic
from sauti.auth.models import (
    DeviceFields,
    ForgotPasswordRequest,
    LoginRequest,
    ProfileUpdate,
    RefreshRequest,
    ResetPasswordRequest,
    SignupRequest,
    VerifyEmailRequest,
)
from sauti.clientaddr import client_address
from sauti.http import http_app, lambda_entry

# Routes anyone may call; every other route needs a verified principal.
PUBLIC = (
    "GET /.well-known/jwks.json",
    "GET /.well-known/openid-configuration",
    "POST /auth/signup",
    "POST /auth/login",
    "POST /auth/refresh",
    "POST /auth/logout",
    "POST /auth/password/forgot",
    "POST /auth/password/reset",
    "POST /auth/email/verify",
)
app = http_app(public=PUBLIC)
PUBLIC_KEY_CACHE = {"Cache-Control": "public, max-age=300"}
NO_STORE = {"Cache-Control": "no-store"}


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response[dict]:
    return Response(status, "application/json", body=body, headers=headers)


def _empty(status: int) -> Response[None]:
    return Response(status)


def _client(device: DeviceFields | None = None) -> logic.Client:
    http = app.current_event.request_context.http
    return logic.Client(
        address=client_address(app.current_event.raw_event),
        user_agent=app.current_event.headers.get("user-agent") or http.user_agent,
        platform=device.platform if device else None,
        device_name=device.device_name if device else None,
    )


def _session_id() -> str | None:
    """The ``sid`` claim: which session the caller's access token came from."""
    authorizer = app.current_event.raw_event.get("requestContext", {}).get("authorizer") or {}
    return ((authorizer.get("jwt") or {}).get("claims") or {}).get("sid")


# -- public: tokens ----------------------------------------------------------------------------------


@app.post("/auth/signup")
def signup(body: SignupRequest) -> Response[dict]:
    result = logic.signup(body.email, body.password, body.display_name, _client(body))
    return _json(201, result, NO_STORE)


@app.post("/auth/login")
def login(body: LoginRequest) -> Response[dict]:
    return _json(200, logic.login(body.email, body.password, _client(body)), NO_STORE)


@app.post("/auth/refresh")
def refresh(body: RefreshRequest) -> Response[dict]:
    return _json(200, logic.refresh(body.refresh_token), NO_STORE)


@app.post("/auth/logout")
def logout(body: RefreshRequest) -> Response[None]:
    logic.logout(body.refresh_token)
    return _empty(204)


@app.post("/auth/password/forgot")
def forgot_password(body: ForgotPasswordRequest) -> Response[dict]:
    logic.request_password_reset(body.email, _client())
    return _json(202, {"status": "accepted"})


@app.post("/auth/password/reset")
def reset_password(body: ResetPasswordRequest) -> Response[None]:
    logic.reset_password(body.token, body.new_password)
    return _empty(204)


@app.post("/auth/email/verify")
def verify_email(body: VerifyEmailRequest) -> Response[None]:
    logic.verify_email(body.token)
    return _empty(204)


# -- the caller's account ------------------------------------------------------------------------------


@app.post("/auth/email/verify/resend")
def resend_verification() -> Response[dict]:
    logic.resend_verification(app.principal().user_id, _client())
    return _json(202, {"status": "accepted"})


@app.get("/me")
def me() -> Response[dict]:
    return _json(200, logic.profile(app.principal().user_id), NO_STORE)


@app.patch("/me")
def update_me(body: ProfileUpdate) -> Response[dict]:
    return _json(200, logic.update_profile(app.principal().user_id, body.display_name), NO_STORE)


@app.delete("/me")
def delete_me() -> Response[None]:
    logic.delete_account(app.principal().user_id)
    return _empty(204)


@app.get("/me/sessions")
def my_sessions(
    limit: Annotated[int, Query(ge=1, le=logic.SESSIONS_PAGE_MAX)] = logic.SESSIONS_PAGE,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response[dict]:
    page = logic.list_sessions(app.principal().user_id, _session_id(), limit=limit, cursor=cursor)
    return _json(200, page, NO_STORE)


@app.delete("/me/sessions")
def end_my_sessions(keep_current: Annotated[bool, Query()] = False) -> Response[None]:
    user_id = app.principal().user_id
    logic.revoke_all_sessions(user_id, keep_session_id=_session_id() if keep_current else None)
    return _empty(204)


@app.delete("/me/sessions/<session_id>")
def end_my_session(session_id: str) -> Response[None]:
    logic.revoke_session(app.principal().user_id, session_id)
    return _empty(204)


# -- the published keys --------------------------------------------------------------------------------


@app.get("/.well-known/jwks.json")
def jwks() -> Response[dict[str, Any]]:
    return _json(200, logic.published_keys(), PUBLIC_KEY_CACHE)


@app.get("/.well-known/openid-configuration")
def openid_configuration() -> Response[dict[str, Any]]:
    return _json(200, logic.openid_configuration(), PUBLIC_KEY_CACHE)


lambda_handler: Any = lambda_entry(app)
