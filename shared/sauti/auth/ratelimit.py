"""Fixed-window counters in Redis for throttling sign-up, login and email requests.

Every attempt is counted before the work, in one Lua script that checks every
limit and, only when none is used up, increments them all (``take``): requests
sent in parallel cannot all pass the check before any of them is counted. A
login that turns out to succeed gives its unit back (``give_back``), so only
failures use up the login limits and people sharing one address (a carrier's
NAT, an office) are not locked out by each other's successes. The per-address
and per-account ceilings are settings with defaults sized for carrier NAT
(docs/auth.md). Accounts are keyed by a hash of the normalised email, whether it
exists or not, so throttling says nothing about which emails are registered.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sauti.auth.settings import AuthSettings
from sauti.cache import redis_client
from sauti.errors import RateLimited
from sauti.settings import settings


@dataclass(frozen=True)
class Limit:
    name: str
    limit: int
    window_seconds: int

    def key(self, subject: str) -> str:
        digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
        return f"auth:rl:{self.name}:{digest}"


# Login failures are counted per (address, account) pair: a guesser elsewhere does not lock the owner
# out. A looser per-account ceiling (a setting) stops guessing spread over many addresses, and a
# device that signed in before (sauti.auth.devicekeys) is counted per device key only.
LOGIN_FAILURES_PER_PAIR = Limit("login-pair", 10, 15 * 60)
LOGIN_FAILURES_PER_DEVICE = Limit("login-device", 10, 15 * 60)
SIGNUPS_PER_ACCOUNT = Limit("signup-account", 5, 60 * 60)
EMAILS_PER_ACCOUNT = Limit("email-account", 3, 60 * 60)  # reset and verification mails


# Per client address: settings (docs/auth.md), since a mobile carrier's NAT puts thousands of people
# behind a few addresses and the right ceiling depends on the market, not on the code.
def login_failures_per_address() -> Limit:
    return Limit("login-address", settings(AuthSettings).auth_login_failures_per_address, 15 * 60)


def login_failures_per_account() -> Limit:
    return Limit("login-account", settings(AuthSettings).auth_login_failures_per_account, 15 * 60)


def signups_per_address() -> Limit:
    return Limit("signup-address", settings(AuthSettings).auth_signups_per_address, 60 * 60)


def emails_per_address() -> Limit:
    return Limit("email-address", settings(AuthSettings).auth_emails_per_address, 60 * 60)


# KEYS: counters; ARGV: limit and window of each. 0 when taken, else the seconds until a unit frees up.
_TAKE = """
for i, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') >= tonumber(ARGV[2 * i - 1]) then
    local ttl = redis.call('TTL', key)
    if ttl > 0 then return ttl end
    return tonumber(ARGV[2 * i])
  end
end
for i, key in ipairs(KEYS) do
  if redis.call('INCR', key) == 1 then redis.call('EXPIRE', key, ARGV[2 * i]) end
end
return 0
"""

# Give a unit back without creating a counter that has expired meanwhile.
_GIVE_BACK = """
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 and redis.call('DECR', key) <= 0 then redis.call('DEL', key) end
end
return 0
"""


def take(*pairs: tuple[Limit, str]) -> None:
    """Count one attempt against each (limit, subject), atomically; RateLimited (429) if any is used up.

    A refused attempt counts against none of them.
    """
    keys = [limit.key(subject) for limit, subject in pairs]
    args = [number for limit, _subject in pairs for number in (limit.limit, limit.window_seconds)]
    retry_after = int(redis_client().eval(_TAKE, len(keys), *keys, *args))
    if retry_after:
        raise RateLimited(retry_after)


def give_back(*pairs: tuple[Limit, str]) -> None:
    """Undo ``take`` for an attempt that turned out not to count (a successful login)."""
    redis_client().eval(_GIVE_BACK, len(pairs), *[limit.key(subject) for limit, subject in pairs])


def reset(limit: Limit, subject: str) -> None:
    redis_client().delete(limit.key(subject))
