"""Sauti's common layer: the in-house code every function uses."""
