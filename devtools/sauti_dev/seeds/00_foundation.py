"""Nothing to seed for the foundation itself; modules add their own files here."""


def seed() -> None:
    return None
