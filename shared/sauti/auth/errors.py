"""The module's domain errors, with the contract's machine codes."""

from __future__ import annotations

from sauti.errors import Conflict, DomainError, Forbidden, Unauthorized, ValidationFailed


class EmailTaken(Conflict):
    code, title = "email_taken", "Email already registered"


class InvalidCredentials(Unauthorized):
    code, title = "invalid_credentials", "Invalid email or password"


class InvalidRefreshToken(Unauthorized):
    code, title = "invalid_refresh_token", "Invalid refresh token"


class RefreshTokenReused(Unauthorized):
    code, title = "refresh_token_reused", "Refresh token already used"


class AccountSuspended(Forbidden):
    code, title = "account_suspended", "Account suspended"


class AccountUnavailable(Unauthorized):
    code, title = "account_unavailable", "This account no longer exists"


class LastSuperAdmin(Conflict):
    code, title = "last_super_admin", "The last super admin"


class InvalidToken(DomainError):
    status, code, title = 400, "invalid_token", "Invalid or expired link"


class EmailAlreadyVerified(Conflict):
    code, title = "email_already_verified", "Email already verified"


class WeakPassword(ValidationFailed):
    code, title = "weak_password", "Password not accepted"

    def __init__(self, reason: str, message: str):
        super().__init__(
            message, reason=reason, errors=[{"field": "password", "message": message, "type": reason}]
        )
