"""The playback module's settings."""

from __future__ import annotations

from sauti.settings import Settings, setting


class PlaybackSettings(Settings):
    # 30-60 s (docs/cost.md, the heartbeat): the heartbeat is the API's most frequent request. The 30-second
    # rule rests on wall time and the pauses clients report at once, not on how many heartbeats came.
    heartbeat_interval_seconds: str = setting(
        60,
        pattern="[3-5][0-9]|60",
        doc="seconds between the heartbeats of a playing client (30-60), told to it as `next_heartbeat_s`",
    )

    @property
    def heartbeat_seconds(self) -> int:
        return int(self.heartbeat_interval_seconds)
