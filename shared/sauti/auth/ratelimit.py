"""Fixed-window counters in Redis for throttling sign-up, login and email requests.

A limit is checked before the work (``check``) and counted when the attempt is one
that counts (``hit``): every sign-up, but only failed logins, so people sharing one
address (a carrier's NAT, an office) are not locked out by each other's successes.
Accounts are keyed by a hash of the normalised email, whether it exists or not,
so throttling says nothing about which emails are registered.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sauti.cache import redis_client
from sauti.errors import RateLimited


@dataclass(frozen=True)
class Limit:
    name: str
    limit: int
    window_seconds: int

    def key(self, subject: str) -> str:
        digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
        return f"auth:rl:{self.name}:{digest}"


LOGIN_FAILURES_PER_ACCOUNT = Limit("login-account", 10, 15 * 60)
LOGIN_FAILURES_PER_ADDRESS = Limit("login-address", 50, 15 * 60)
SIGNUPS_PER_ACCOUNT = Limit("signup-account", 5, 60 * 60)
SIGNUPS_PER_ADDRESS = Limit("signup-address", 20, 60 * 60)
EMAILS_PER_ACCOUNT = Limit("email-account", 3, 60 * 60)  # reset and verification mails
EMAILS_PER_ADDRESS = Limit("email-address", 20, 60 * 60)


def check(*checks: tuple[Limit, str]) -> None:
    """Raise RateLimited (429, Retry-After) if any (limit, subject) is used up."""
    pipe = redis_client().pipeline(transaction=False)
    for limit, subject in checks:
        pipe.get(limit.key(subject))
        pipe.ttl(limit.key(subject))
    replies = pipe.execute()
    for index, (limit, _subject) in enumerate(checks):
        count, ttl = replies[2 * index], replies[2 * index + 1]
        if count is not None and int(count) >= limit.limit:
            raise RateLimited(ttl if ttl and ttl > 0 else limit.window_seconds)


def hit(*hits: tuple[Limit, str]) -> None:
    """Count one attempt against each (limit, subject); the window starts at the first one."""
    pipe = redis_client().pipeline(transaction=False)
    for limit, subject in hits:
        pipe.set(limit.key(subject), 0, ex=limit.window_seconds, nx=True)
        pipe.incr(limit.key(subject))
    pipe.execute()


def check_and_hit(*pairs: tuple[Limit, str]) -> None:
    check(*pairs)
    hit(*pairs)


def reset(limit: Limit, subject: str) -> None:
    redis_client().delete(limit.key(subject))
