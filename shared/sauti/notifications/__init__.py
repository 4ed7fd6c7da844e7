"""Notifications: delivering the messages other modules queue (email through SES, push later)."""
