"""Demo accounts for the local stack (idempotent): a listener and a super admin (docs/auth.md)."""

from __future__ import annotations

DEMO_PASSWORD = "sauti demo password"
DEMO_ACCOUNTS = (
    ("listener@sauti.local", "Demo Listener", ()),
    ("admin@sauti.local", "Demo Admin", ("super_admin",)),
)


def seed() -> None:
    from sauti.auth import hashing, store
    from sauti.db import transaction

    for email, display_name, roles in DEMO_ACCOUNTS:
        with transaction() as conn:
            if store.user_by_email(conn, email) is None:
                store.insert_user(conn, email, display_name, hashing.hash_password(DEMO_PASSWORD))
            for role in roles:
                store.add_role(conn, email, role)
