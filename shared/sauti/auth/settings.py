"""The auth module's settings (the access-token ones are sauti.core_settings.TokenSettings)."""

from __future__ import annotations

from sauti.settings import Settings, setting


class AuthSettings(Settings):
    refresh_token_ttl_seconds: int = setting(2592000, doc="a session ends after this long without a refresh")
    session_max_age_seconds: int = setting(7776000, doc="a session ends this long after login, used or not")
    password_reset_ttl_seconds: int = setting(1800, doc="lifetime of a password-reset link")
    email_verification_ttl_seconds: int = setting(172800, doc="lifetime of an email-verification link")
    auth_link_base_url: str = setting(
        "http://127.0.0.1:3001",
        doc="base URL of the web app pages that the reset and verification emails link to",
        local_only=True,
    )
    auth_login_failures_per_address: int = setting(
        500, doc="failed logins one client address may make per 15 minutes (carrier NAT: docs/auth.md)"
    )
    auth_login_failures_per_account: int = setting(
        100,
        doc="failed logins one account may see per 15 minutes from all addresses together, "
        "devices it signed in on before excepted (docs/auth.md)",
    )
    auth_signups_per_address: int = setting(
        500, doc="sign-ups one client address may make per hour (carrier NAT: docs/auth.md)"
    )
    auth_emails_per_address: int = setting(
        200, doc="reset and verification emails one client address may ask for per hour"
    )
