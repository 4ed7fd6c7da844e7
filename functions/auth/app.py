"""Auth & users: sign-up, login, refresh, logout, the account (/me), sessions, password reset,
email verification, and the published signing keys the JWT authorizer reads."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from sauti.auth import logic
from sauti.auth.models import (
    Accepted,
    DeviceFields,
    ForgotPasswordRequest,
    Jwks,
    LoginRequest,
    OpenIdConfiguration,
    Profile,
    ProfileUpdate,
    RefreshRequest,
    ResetPasswordRequest,
    SessionPage,
    SignedIn,
    SignupRequest,
    Tokens,
    VerifyEmailRequest,
)
from sauti.auth.settings import AuthSettings
from sauti.billing.settings import BillingSettings
from sauti.clientaddr import client_address
from sauti.core_settings import CoreSettings, DatabaseSettings, TokenSettings
from sauti.http import Cursor, Limit, errors, http_app, lambda_entry
from sauti.models import ApiModel
from sauti.settings import require

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
require(CoreSettings, DatabaseSettings, TokenSettings, AuthSettings, BillingSettings)
Model = TypeVar("Model", bound=ApiModel)
PUBLIC_KEY_CACHE = {"Cache-Control": "public, max-age=300"}
NO_STORE = {"Cache-Control": "no-store"}


def _json(status: int, body: Model, headers: dict[str, str] | None = None) -> Response[Model]:
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


@app.post("/auth/signup", status_code=201, responses=errors(409, 429))
def signup(body: SignupRequest) -> Response[SignedIn]:
    result = logic.signup(body.email, body.password, body.display_name, _client(body))
    return _json(201, SignedIn.model_validate(result), NO_STORE)


@app.post("/auth/login", responses=errors(401, 403, 429))
def login(body: LoginRequest) -> Response[SignedIn]:
    result = logic.login(body.email, body.password, _client(body), device_key=body.device_key)
    return _json(200, SignedIn.model_validate(result), NO_STORE)


@app.post("/auth/refresh", responses=errors(401, 403))
def refresh(body: RefreshRequest) -> Response[Tokens]:
    return _json(200, Tokens.model_validate(logic.refresh(body.refresh_token)), NO_STORE)


@app.post("/auth/logout", status_code=204)
def logout(body: RefreshRequest) -> Response[None]:
    logic.logout(body.refresh_token)
    return _empty(204)


@app.post("/auth/password/forgot", status_code=202)
def forgot_password(body: ForgotPasswordRequest) -> Response[Accepted]:
    logic.request_password_reset(body.email, _client())
    return _json(202, Accepted(status="accepted"))


@app.post("/auth/password/reset", status_code=204, responses=errors(400))
def reset_password(body: ResetPasswordRequest) -> Response[None]:
    logic.reset_password(body.token, body.new_password)
    return _empty(204)


@app.post("/auth/email/verify", status_code=204, responses=errors(400))
def verify_email(body: VerifyEmailRequest) -> Response[None]:
    logic.verify_email(body.token)
    return _empty(204)


# -- the caller's account ------------------------------------------------------------------------------


@app.post("/auth/email/verify/resend", status_code=202, responses=errors(409, 429))
def resend_verification() -> Response[Accepted]:
    logic.resend_verification(app.principal().user_id, _client())
    return _json(202, Accepted(status="accepted"))


@app.get("/me")
def me() -> Response[Profile]:
    return _json(200, Profile.model_validate(logic.profile(app.principal().user_id)), NO_STORE)


@app.patch("/me")
def update_me(body: ProfileUpdate) -> Response[Profile]:
    profile = logic.update_profile(app.principal().user_id, body.display_name)
    return _json(200, Profile.model_validate(profile), NO_STORE)


@app.delete("/me", status_code=204, responses=errors(409))
def delete_me() -> Response[None]:
    logic.delete_account(app.principal().user_id)
    return _empty(204)


@app.get("/me/sessions")
def my_sessions(limit: Limit = logic.SESSIONS_PAGE, cursor: Cursor = None) -> Response[SessionPage]:
    page = logic.list_sessions(app.principal().user_id, _session_id(), limit=limit, cursor=cursor)
    return _json(200, SessionPage.model_validate(page), NO_STORE)


@app.delete("/me/sessions", status_code=204)
def end_my_sessions(keep_current: Annotated[bool, Query()] = False) -> Response[None]:
    user_id = app.principal().user_id
    logic.revoke_all_sessions(user_id, keep_session_id=_session_id() if keep_current else None)
    return _empty(204)


@app.delete("/me/sessions/<session_id>", status_code=204, responses=errors(404))
def end_my_session(session_id: str) -> Response[None]:
    logic.revoke_session(app.principal().user_id, session_id)
    return _empty(204)


# -- the published keys --------------------------------------------------------------------------------


@app.get("/.well-known/jwks.json")
def jwks() -> Response[Jwks]:
    return _json(200, Jwks.model_validate(logic.published_keys()), PUBLIC_KEY_CACHE)


@app.get("/.well-known/openid-configuration")
def openid_configuration() -> Response[OpenIdConfiguration]:
    return _json(200, OpenIdConfiguration.model_validate(logic.openid_configuration()), PUBLIC_KEY_CACHE)


lambda_handler: Any = lambda_entry(app)
