"""Playback: play sessions (state in Redis), the plan's quality cap, ad breaks, and the 30-second rule."""
