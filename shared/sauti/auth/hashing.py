"""Password hashes: Argon2id with OWASP's parameters.

OWASP's Password Storage Cheat Sheet first choice for Argon2id: 19 MiB of memory,
2 iterations, parallelism 1. A stored hash made with other parameters is re-hashed
at the next successful login (``needs_rehash``). Importing argon2-cffi takes a
while, so only the routes that hash import this module (``sauti.auth.logic``).
"""

from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16)


def hash_password(password: str) -> str:
    return hasher.hash(password)


@functools.cache
def _dummy_hash() -> str:
    return hasher.hash("an unknown account costs the same as a wrong password")


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True if ``password`` matches. Without a stored hash, a dummy one is checked so the time is the same."""
    try:
        return hasher.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    try:
        return hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True
