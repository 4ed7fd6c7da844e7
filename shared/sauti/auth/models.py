"""Request bodies (emails, names and passwords normalised on the way in) and answers of the auth routes."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sauti.auth import normalize
from sauti.auth.passwords import MAX_LENGTH as PASSWORD_MAX_LENGTH
from sauti.auth.passwords import MIN_LENGTH as PASSWORD_MIN_LENGTH
from sauti.auth.public import Email
from sauti.billing.models import EntitlementFlags, Subscription
from sauti.models import ApiModel, Page

Platform = Literal["ios", "android", "web"]
# The shortest is documented, and refused by passwords.check_password as 422 `weak_password` (too_short).
NewPassword = Field(max_length=PASSWORD_MAX_LENGTH, json_schema_extra={"minLength": PASSWORD_MIN_LENGTH})
# Each field's limits are the normaliser's (sauti.auth.normalize): the document states what is refused.
DisplayName = Annotated[
    str, Field(max_length=normalize.DISPLAY_NAME_MAX_LENGTH, pattern=normalize.LABEL_PATTERN)
]
DeviceName = Annotated[
    str, Field(max_length=normalize.DEVICE_NAME_MAX_LENGTH, pattern=normalize.LABEL_PATTERN)
]


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)


class DeviceFields(_Body):
    platform: Platform | None = None
    device_name: DeviceName | None = None

    _device_name = field_validator("device_name")(normalize.device_name)


class SignupRequest(DeviceFields):
    email: Email
    password: str = NewPassword
    display_name: DisplayName

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
    # Any text: one that cannot be an address matches no account, and the answer is the same 202.
    email: str = Field(max_length=320)

    _email = field_validator("email")(normalize.lenient_email)


class ResetPasswordRequest(_Body):
    token: str = Field(max_length=500)
    new_password: str = NewPassword

    _password = field_validator("new_password")(normalize.password)


class VerifyEmailRequest(_Body):
    token: str = Field(max_length=500)


class ProfileUpdate(_Body):
    display_name: DisplayName

    _display_name = field_validator("display_name")(normalize.display_name)


# -- answers ---------------------------------------------------------------------------------------


class PublicUser(ApiModel):
    id: str
    email: str | None
    display_name: str


TOKENS_EXAMPLE: dict[str, Any] = {
    "access_token": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiI5YTRjMmU3YiJ9.c2lnbmF0dXJl",
    "refresh_token": "k3Jd9_Qm2vLx8PzR4tYb7NcW1eHs6UaF0gTiVo5yZlE.p8Rw2_Ln4Xk7QzJ1vMc9BtYh3GsD6eUa0FiW"
    "o5rNlKq",
    "token_type": "Bearer",
    "expires_in": 900,
}
SIGNED_IN_EXAMPLE: dict[str, Any] = {
    **TOKENS_EXAMPLE,
    "user": {
        "id": "9a4c2e7b-1d5f-4a8e-b3c6-7f2d9e1b5a84",
        "email": "wanjiru@example.com",
        "display_name": "Wanjiru",
    },
    "device_key": "Zq3v8LwR1nXc5TbY7uKe2HsJ9mPd4GfA6oVi0NlWrEk",
}


class Tokens(ApiModel):
    model_config = ConfigDict(json_schema_extra={"examples": [TOKENS_EXAMPLE]})

    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"]
    expires_in: int  # seconds


class SignedIn(Tokens):
    model_config = ConfigDict(json_schema_extra={"examples": [SIGNED_IN_EXAMPLE]})

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
