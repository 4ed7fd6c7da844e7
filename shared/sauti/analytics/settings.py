"""The analytics module's settings."""

from __future__ import annotations

from sauti.settings import Settings, setting


class AnalyticsSettings(Settings):
    analytics_daily_play_cap: int = setting(
        10,
        doc="counted plays of one song by one user per UTC day that reach the totals (the rest stay raw)",
    )
    analytics_raw_retention_days: int = setting(
        35, doc="days of raw plays kept attached; older rolled-up day partitions are detached"
    )
