"""Request bodies of the auth routes. Emails, names and passwords are normalised on the way in."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sauti.auth import normalize
from sauti.auth.passwords import MAX_LENGTH as PASSWORD_MAX_LENGTH

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
