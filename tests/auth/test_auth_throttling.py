"""Throttling per account and per client address, and no email enumeration through it."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from helpers import assert_problem
from sauti.errors import DomainError

PASSWORD = "correct horse battery staple"  # the conftest default
# The per-address ceilings are settings; these tests use small ones, the defaults are sized for carrier NAT.
SMALL_ADDRESS_LIMITS = {
    "AUTH_LOGIN_FAILURES_PER_ADDRESS": "50",
    "AUTH_LOGIN_FAILURES_PER_ACCOUNT": "30",
    "AUTH_SIGNUPS_PER_ADDRESS": "20",
    "AUTH_EMAILS_PER_ADDRESS": "20",
}


@pytest.fixture(autouse=True)
def small_address_limits():
    from sauti.config import config

    saved = {name: os.environ.get(name) for name in SMALL_ADDRESS_LIMITS}
    os.environ.update(SMALL_ADDRESS_LIMITS)
    config.cache_clear()
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    config.cache_clear()


def test_repeated_failures_from_one_address_on_one_account_give_429_with_retry_after(signup, login):
    account = signup()
    for _ in range(10):
        assert login(account["email"], "wrong guess number one", source_ip="203.0.113.7").status == 401

    throttled = login(account["email"], source_ip="203.0.113.7")  # even the right password, from there

    assert_problem(throttled, 429, "rate_limited")
    assert 0 < int(throttled.headers["retry-after"]) <= 15 * 60


def test_a_guesser_elsewhere_does_not_lock_the_owner_out(signup, login):
    account = signup()
    for _ in range(11):
        login(account["email"], "wrong guess number one", source_ip="203.0.113.66")

    assert login(account["email"], source_ip="198.51.100.9").status == 200  # the owner, at home


def test_guesses_from_many_addresses_meet_the_looser_account_ceiling(signup, login):
    account = signup()
    for attempt in range(30):
        assert (
            login(account["email"], "wrong guess number one", source_ip=f"203.0.113.{attempt}").status == 401
        )

    assert_problem(login(account["email"], source_ip="203.0.113.99"), 429, "rate_limited")


def test_a_device_the_owner_signed_in_on_is_never_locked_out(signup, login, api):
    account = signup()
    nat = "100.64.0.1"  # the owner and the guesser behind one carrier NAT address
    device_key = login(account["email"], source_ip=nat).json()["device_key"]
    for attempt in range(30):
        login(
            account["email"], "wrong guess number one", source_ip=f"100.64.{attempt // 200}.{attempt % 200}"
        )
    someone_else = login(signup()["email"], source_ip=nat).json()["device_key"]

    def with_key(key: str, password: str = PASSWORD) -> int:
        body = {"email": account["email"], "password": password, "device_key": key}
        return api.post("/auth/login", json=body, source_ip=nat).status

    assert login(account["email"], source_ip=nat).status == 429  # a new device waits
    assert with_key(someone_else) == 429  # another account's device key proves nothing here
    assert with_key(device_key) == 200  # the owner's phone signs in
    assert [with_key(device_key, "wrong guess number one") for _ in range(11)] == [401] * 10 + [429]


def test_unknown_emails_are_throttled_exactly_like_known_ones(login):
    answers = [login("nobody@example.com", "wrong guess number one").status for _ in range(11)]

    assert answers == [401] * 10 + [429]


def test_a_successful_login_clears_the_account_counter(signup, login):
    account = signup()
    for _ in range(9):
        login(account["email"], "wrong guess number one")

    assert login(account["email"]).status == 200
    assert login(account["email"], "wrong guess number one").status == 401
    assert login(account["email"]).status == 200


def test_one_address_trying_many_accounts_is_throttled(login):
    for number in range(50):
        assert login(f"target{number}@example.com", "wrong guess number one").status == 401

    throttled = login("target-next@example.com", "wrong guess number one")

    assert_problem(throttled, 429, "rate_limited")
    assert int(throttled.headers["retry-after"]) > 0
    assert login("target-next@example.com", "wrong guess number one", source_ip="192.0.2.44").status == 401


def test_signups_are_throttled_per_address(api):
    def attempt(number: int, ip: str = "198.51.100.20"):
        return api.post(
            "/auth/signup",
            json={"email": f"new{number}@example.com", "password": PASSWORD, "display_name": "New"},
            source_ip=ip,
        )

    assert all(attempt(n).status == 201 for n in range(20))

    assert_problem(attempt(20), 429, "rate_limited")
    assert attempt(21, ip="198.51.100.21").status == 201


def test_signups_are_throttled_per_account(api):
    def attempt(ip: str):
        return api.post(
            "/auth/signup",
            json={"email": "popular@example.com", "password": PASSWORD, "display_name": "X"},
            source_ip=ip,
        )

    statuses = [attempt(f"192.0.2.{n}").status for n in range(6)]

    assert statuses == [201, 409, 409, 409, 409, 429]


def _login_burst(attempts: list[tuple[str, str]]) -> list[str]:
    """Log in with each (email, address) at the same moment, on as many threads, the way concurrent
    Lambda containers would (the local gateway runs one request per function at a time); the outcomes."""
    from sauti.auth.logic import Client, login

    start = threading.Barrier(len(attempts))

    def one(attempt: tuple[str, str]) -> str:
        email, address = attempt
        start.wait()
        try:
            login(email, "wrong guess number one", Client(address=address))
        except DomainError as exc:
            return exc.code
        return "ok"

    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        return list(pool.map(one, attempts))


def test_a_parallel_burst_on_one_account_gets_exactly_the_limit_of_tries(signup, login):
    account = signup()

    from_one = _login_burst([(account["email"], "203.0.113.5")] * 20)
    from_many = _login_burst([(account["email"], f"203.0.113.{n}") for n in range(10, 50)])

    assert sorted(from_one) == ["invalid_credentials"] * 10 + ["rate_limited"] * 10
    assert sorted(from_many) == ["invalid_credentials"] * 20 + ["rate_limited"] * 20  # 30 in all
    assert_problem(login(account["email"], source_ip="203.0.113.200"), 429, "rate_limited")


def test_a_parallel_burst_from_one_address_gets_exactly_the_limit_of_tries(login):
    outcomes = _login_burst([(f"burst{n}@example.com", "192.0.2.77") for n in range(70)])

    assert sorted(outcomes) == ["invalid_credentials"] * 50 + ["rate_limited"] * 20
    assert_problem(login("burst-next@example.com", source_ip="192.0.2.77"), 429, "rate_limited")


def test_successful_logins_do_not_use_up_the_address_limit(signup, login):
    account = signup()

    assert all(login(account["email"]).status == 200 for _ in range(51))
    assert login("someone-else@example.com", "wrong guess number one").status == 401
