"""Unicode normalisation of what people type: emails, display names, passwords."""

from __future__ import annotations

import re
import unicodedata

EMAIL_MAX_LENGTH = 254
DISPLAY_NAME_MAX_LENGTH = 64
# Deliberately loose: one @, no spaces, a dot in the domain. The verification email is the real check.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")


def email(value: str) -> str:
    """NFKC, trimmed, lower-case; ValueError if it cannot be an address."""
    normalised = unicodedata.normalize("NFKC", value).strip().lower()
    if len(normalised) > EMAIL_MAX_LENGTH or not _EMAIL.match(normalised):
        raise ValueError("not an email address")
    return normalised


def display_name(value: str) -> str:
    """NFKC, trimmed, inner whitespace collapsed; no control characters; 1 to 64 characters."""
    normalised = " ".join(unicodedata.normalize("NFKC", value).split())
    if not normalised:
        raise ValueError("must not be empty")
    if len(normalised) > DISPLAY_NAME_MAX_LENGTH:
        raise ValueError(f"at most {DISPLAY_NAME_MAX_LENGTH} characters")
    if any(unicodedata.category(char).startswith("C") for char in normalised):
        raise ValueError("must not contain control characters")
    return normalised


def password(value: str) -> str:
    """NFKC (NIST SP 800-63B 5.1.1.2), so the same passphrase typed on any keyboard matches."""
    return unicodedata.normalize("NFKC", value)
