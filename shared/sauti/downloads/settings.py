"""The downloads module's settings."""

from __future__ import annotations

from sauti.settings import Settings, setting


class DownloadsSettings(Settings):
    offline_license_days: int = setting(30, doc="how long downloads play offline before a sync renews them")
    downloads_per_device: int = setting(10000, doc="most active downloads one device may hold")
    downloads_per_day: int = setting(500, doc="most downloads one user may start in a day (UTC)")
