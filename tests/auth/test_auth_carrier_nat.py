"""The per-address throttles' defaults let a carrier's NAT (thousands of people, a few addresses) in."""

from __future__ import annotations

PASSWORD = "correct horse battery staple"


def test_by_default_one_address_behind_a_carrier_nat_is_not_locked_out_of_sign_up_or_login(api, login):
    from sauti.config import config

    assert config().int("AUTH_SIGNUPS_PER_ADDRESS") >= 500
    nat = "41.90.64.1"  # one public address for a whole carrier's subscribers
    signups = [
        api.post(
            "/auth/signup",
            json={"email": f"nat{n}@example.com", "password": PASSWORD, "display_name": "Subscriber"},
            source_ip=nat,
        ).status
        for n in range(30)
    ]
    typos = [login(f"nat{n}@example.com", "a mistyped passphrase", source_ip=nat).status for n in range(60)]

    assert signups == [201] * 30  # more than the old ceiling of 20 an hour
    assert typos == [401] * 60  # more than the old ceiling of 50 failures
