"""The player: one saved queue and position per user, so listening follows the person across devices."""
