"""The NIST SP 800-63B acceptance rules for passwords. Hashing them is ``sauti.auth.hashing``."""

from __future__ import annotations

import functools
from pathlib import Path

from sauti.auth.errors import WeakPassword

MIN_LENGTH = 8
MAX_LENGTH = 1024  # long passphrases are welcome; the cap only bounds the work per request
COMMON_PASSWORDS_FILE = Path(__file__).parents[1] / "data" / "common-passwords.txt"
_SEQUENCES = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm")


@functools.cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def _is_sequence(lowered: str) -> bool:
    return any(lowered in run or lowered in run[::-1] for run in _SEQUENCES)


def check_password(password: str, *, context: tuple[str, ...] = ()) -> None:
    """Raise WeakPassword unless ``password`` (already NFKC) meets NIST SP 800-63B.

    No composition rules. Refused: shorter than 8 characters, longer than the cap, one of the
    bundled most common passwords, one character repeated, a keyboard or alphabet run, or the
    account's own email, email name or display name (``context``).
    """
    if len(password) < MIN_LENGTH:
        raise WeakPassword("too_short", f"use at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise WeakPassword("too_long", f"use at most {MAX_LENGTH} characters")
    lowered = password.lower()
    if lowered in common_passwords():
        raise WeakPassword("too_common", "this password is one of the most commonly used; choose another")
    if len(set(lowered)) == 1 or _is_sequence(lowered):
        raise WeakPassword("too_predictable", "this password is too easy to guess; choose another")
    personal = {item.lower() for item in context if item}
    personal |= {item.split("@", 1)[0] for item in personal if "@" in item}
    if lowered in personal:
        raise WeakPassword("too_personal", "do not use your email or name as your password")
