"""Auth & users: accounts, passwords, refresh-token sessions, roles (docs/auth.md).

Other modules call ``sauti.auth.directory.get_user`` (light) and ``sauti.auth.logic`` (``grant_role``,
``suspend_user``, ...);
they never read the users or sessions tables.
"""
