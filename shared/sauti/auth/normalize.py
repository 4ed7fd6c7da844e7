"""Unicode normalisation of what people type: emails, display names, passwords."""

from __future__ import annotations

import re
import unicodedata

EMAIL_MAX_LENGTH = 254
DISPLAY_NAME_MAX_LENGTH = 64
DEVICE_NAME_MAX_LENGTH = 100
USER_AGENT_MAX_LENGTH = 512
# The request models' patterns are these (so the API description refuses what the server does): no
# control characters but whitespace (which a label collapses), and a label holds one visible at least.
_CONTROL = r"\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f"
LABEL_PATTERN = rf"^[^{_CONTROL}]*[^\s{_CONTROL}][^{_CONTROL}]*$"
# Deliberately loose: one @, no spaces, a dot in the domain. The verification email is the real check.
_PART = rf"[^@\s.{_CONTROL}]+"
EMAIL_PATTERN = rf"^\s*[^@\s{_CONTROL}]+@{_PART}(\.{_PART})+\s*$"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")


def _is_control(char: str) -> bool:
    """Control, format, surrogate, private-use and unassigned code points (Unicode category C)."""
    return unicodedata.category(char).startswith("C")


def email(value: str) -> str:
    """NFKC, trimmed, lower-case; ValueError if it cannot be an address or holds control characters."""
    normalised = unicodedata.normalize("NFKC", value).strip().lower()
    if any(_is_control(char) for char in normalised):
        raise ValueError("must not contain control characters")
    if len(normalised) > EMAIL_MAX_LENGTH or not _EMAIL.match(normalised):
        raise ValueError("not an email address")
    return normalised


def _label(value: str, max_length: int) -> str:
    """NFKC, trimmed, inner whitespace collapsed; no control characters; 1 to ``max_length`` characters."""
    normalised = " ".join(unicodedata.normalize("NFKC", value).split())
    if not normalised:
        raise ValueError("must not be empty")
    if len(normalised) > max_length:
        raise ValueError(f"at most {max_length} characters")
    if any(_is_control(char) for char in normalised):
        raise ValueError("must not contain control characters")
    return normalised


def lenient_email(value: str) -> str:
    """The address as ``email`` gives it, or, when it cannot be one, the text NFKC'd and lower-cased:
    for a lookup that answers the same whether or not an account matches."""
    try:
        return email(value)
    except ValueError:
        return unicodedata.normalize("NFKC", value).strip().lower()


def display_name(value: str) -> str:
    return _label(value, DISPLAY_NAME_MAX_LENGTH)


def device_name(value: str | None) -> str | None:
    return None if value is None else _label(value, DEVICE_NAME_MAX_LENGTH)


def user_agent(value: str | None) -> str | None:
    """A header as the sessions list shows it: control characters removed, at most 512 characters."""
    cleaned = "".join(char for char in value or "" if not _is_control(char)).strip()
    return cleaned[:USER_AGENT_MAX_LENGTH] or None


def password(value: str) -> str:
    """NFKC (NIST SP 800-63B 5.1.1.2), so the same passphrase typed on any keyboard matches."""
    return unicodedata.normalize("NFKC", value)
