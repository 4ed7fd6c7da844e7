"""Request bodies (emails, names and passwords normalised on the way in) and answers of the auth routes."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sauti.auth import normalize
from sauti.auth.passwords import MAX_LENGTH as PASSWORD_MAX_LENGTH
from sauti.billing.models import EntitlementFlags, Subscription
from sauti.models import ApiModel, Page

Platform = Literal["ios", "android", "web"]


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)


class DeviceFields(_Body):
    platform: Platform | None = None
    device_name: str | None = Field(default=None, max_length=200)

    _device_name = field_validator("device_name")(normalize.device_name)


class SignupRequest(DeviceFields):
    email: str = Field(max_length=320)
    password: str = Field(max_length=PASSWORD_MAX_LENGTH)
    display_name: str = Field(max_length=200)

    _email = field_validator("email")(normalize.email)
    _display_name = field_validator("display_name")(normalize.display_name)
    _password = field_validator("password")(normalize.password)


class LoginRequest(DeviceFields):
    # Not checked as an address: a malformed email simply matches no account (the same 401).
    email: str = Field(max_length=320)
    password: str = Field(max_length=PASSWORD_MAX_LENGTH)
    device_key: str | None = Field(
        default=None,
        max_length=100,
        description="the device_key this device's last sign-in answered: guesses elsewhere never lock it out",
    )

    _password = field_validator("password")(normalize.password)


class RefreshRequest(_Body):
    refresh_token: str = Field(max_length=500)


class ForgotPasswordRequest(_Body):
    email: str = Field(max_length=320)

    _email = field_validator("email")(normalize.email)


class ResetPasswordRequest(_Body):
    token: str = Field(max_length=500)
    new_password: str = Field(max_length=PASSWORD_MAX_LENGTH)

    _password = field_validator("new_password")(normalize.password)


class VerifyEmailRequest(_Body):
    token: str = Field(max_length=500)


class ProfileUpdate(_Body):
    display_name: str = Field(max_length=200)

    _display_name = field_validator("display_name")(normalize.display_name)


# -- answers ---------------------------------------------------------------------------------------


class PublicUser(ApiModel):
    id: str
    email: str | None
    display_name: str


class Tokens(ApiModel):
    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"]
    expires_in: int  # seconds


class SignedIn(Tokens):
    user: PublicUser
    device_key: str = Field(
        description="keep it on the device and send it with its next logins (docs/auth.md: throttling)"
    )


class Accepted(ApiModel):
    status: Literal["accepted"]


class Profile(PublicUser):
    """GET /me: the account, its roles, plan, entitlements and subscription."""

    roles: list[str]
    email_verified: bool
    created_at: str | None
    plan: Literal["free", "premium"]
    entitlements: EntitlementFlags
    subscription: Subscription | None


class SessionDevice(ApiModel):
    platform: str | None
    name: str | None
    user_agent: str | None


class SessionInfo(ApiModel):
    id: str
    device: SessionDevice
    created_at: str | None
    last_used_at: str | None
    expires_at: str | None
    current: bool  # the session the caller's access token came from


class Jwks(ApiModel):
    model_config = ConfigDict(extra="allow")

    keys: list[dict[str, Any]]


class OpenIdConfiguration(ApiModel):
    issuer: str
    jwks_uri: str
    id_token_signing_alg_values_supported: list[str]
    response_types_supported: list[str]
    subject_types_supported: list[str]


SessionPage = Page[SessionInfo]
