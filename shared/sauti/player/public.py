"""What other modules (and the player's event consumer) may call in the player."""

from __future__ import annotations

from sauti.player.logic import forget_user

__all__ = ["forget_user"]
