"""What the billing tests expect /me to show, per the contract's entitlements."""

from __future__ import annotations

FREE = {"ads": True, "background_playback": False, "offline_downloads": False, "public_playlists": False}
PREMIUM = {"ads": False, "background_playback": True, "offline_downloads": True, "public_playlists": True}
