"""The words of each email, by message type. Data fields (and a few derived from them) fill the placeholders.

Every type a module queues has a template here: auth's (``sauti.auth.logic``) and billing's
(``sauti.billing.logic``, ``sauti.billing.reconcile``); the data each sends is in docs/auth.md and
docs/billing.md. An unknown type falls back to ``GENERIC``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

SIGN_OFF = "\n\n— Sauti"
PREMIUM_FEATURES = "no ads, background play, offline downloads and public playlists"
FIX_PAYMENT = {
    "stripe": "Update your payment method in your Sauti account settings (Subscription).",
    "apple": "Update your payment method on your iPhone: Settings → your name → Subscriptions.",
}


@dataclass(frozen=True)
class EmailTemplate:
    subject: str
    body: str


EMAILS: dict[str, EmailTemplate] = {
    "auth.password_reset": EmailTemplate(
        "Reset your Sauti password",
        "Hi {display_name},\n\nSomeone asked to reset the password of your Sauti account. "
        "To choose a new one, open this link before {expires_at}:\n\n{link}\n\n"
        "If it was not you, ignore this email: your password stays the same.",
    ),
    "auth.email_verification": EmailTemplate(
        "Confirm your email for Sauti",
        "Welcome to Sauti, {display_name}.\n\nConfirm your email address by opening this link "
        "before {expires_at}:\n\n{link}",
    ),
    "auth.password_changed": EmailTemplate(
        "Your Sauti password was changed",
        "Hi {display_name},\n\nThe password of your Sauti account was just changed, and every device "
        "was signed out. If it was not you, reset your password at once.",
    ),
    "billing.premium_started": EmailTemplate(
        "Welcome to Sauti Premium",
        "Hi {display_name},\n\nWelcome to Sauti Premium: " + PREMIUM_FEATURES + " are on for your "
        "account.{renewal_note}",
    ),
    "billing.payment_failed": EmailTemplate(
        "Your Sauti Premium payment failed",
        "Hi {display_name},\n\nWe could not take the payment for your Sauti Premium subscription. "
        "{grace_note}\n\n{fix_payment}",
    ),
    "billing.grace_ending_soon": EmailTemplate(
        "Your Sauti Premium ends soon",
        "Hi {display_name},\n\nThe payment for your Sauti Premium subscription still has not gone "
        "through. Premium ends on {grace_until} unless it does.\n\n{fix_payment}",
    ),
    "billing.premium_ended": EmailTemplate(
        "Your Sauti Premium has ended",
        "Hi {display_name},\n\nYour Sauti Premium subscription has ended and your account is on the "
        "free plan: " + PREMIUM_FEATURES + " are off. Subscribe again any time to turn them back on.",
    ),
}
EMAILS.update(
    {
        "auth.new_sign_in": EmailTemplate(
            "New sign-in to your Sauti account",
            "Hi {display_name},\n\nYour Sauti account was just signed in on a device we had not seen "
            "before: {device}.\n\nIf it was you, there is nothing to do. If not, change your password at "
            "once; that signs every device out.",
        ),
        "playlist.followed": EmailTemplate(
            "{follower_name} follows your playlist",
            "Hi {display_name},\n\n{follower_name} now follows your playlist “{playlist_name}”.",
        ),
        "playlist.tracks_added": EmailTemplate(
            "New songs in “{playlist_name}”",
            "Hi {display_name},\n\n{actor_name} added {track_count} song(s) to “{playlist_name}”.",
        ),
        "catalog.new_release": EmailTemplate(
            "New from {artist_name}: {title}",
            "Hi {display_name},\n\n{artist_name} just released “{title}” on Sauti.",
        ),
    }
)
GENERIC = EmailTemplate("News from Sauti", "{message}")


@dataclass(frozen=True)
class PushTemplate:
    title: str
    body: str


PUSHES: dict[str, PushTemplate] = {
    "auth.password_changed": PushTemplate("Password changed", "Your Sauti password was just changed."),
    "auth.new_sign_in": PushTemplate("New sign-in", "Your account was signed in on {device}."),
    "billing.premium_started": PushTemplate("Welcome to Premium", "No ads, background play and downloads."),
    "billing.payment_failed": PushTemplate("Payment failed", "Update your payment method to keep Premium."),
    "billing.grace_ending_soon": PushTemplate(
        "Premium ends soon", "Your payment still has not gone through."
    ),
    "billing.premium_ended": PushTemplate("Premium has ended", "Your account is on the free plan."),
    "playlist.followed": PushTemplate("New follower", "{follower_name} follows “{playlist_name}”."),
    "playlist.tracks_added": PushTemplate(
        "“{playlist_name}” has new songs", "{actor_name} added {track_count} song(s)."
    ),
    "catalog.new_release": PushTemplate("New from {artist_name}", "{title} is out now."),
}
GENERIC_PUSH = PushTemplate("Sauti", "{message}")


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def _readable(value: Any) -> Any:
    """An ISO 8601 moment as people read it ("24 November 2026, 10:30 UTC"); anything else as it is."""
    if not isinstance(value, str) or "T" not in value:
        return value
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        return value
    moment = moment.astimezone(UTC)
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC"


def _fields(data: dict[str, Any]) -> _Blank:
    fields = _Blank({key: _readable(value) for key, value in data.items()})
    fields.setdefault("display_name", "there")
    fields.setdefault("track_count", data.get("count", ""))  # playlists sends ``count``
    fields.setdefault("follower_name", "Someone")
    fields.setdefault("actor_name", "A collaborator")
    fields["fix_payment"] = FIX_PAYMENT.get(str(data.get("source")), FIX_PAYMENT["stripe"])
    fields["grace_note"] = (
        f"You keep Premium until {fields['grace_until']} while we try again."
        if data.get("grace_until")
        else "Your account is on the free plan until the payment goes through."
    )
    fields["renewal_note"] = _renewal_note(data.get("subscription"))
    return fields


def _renewal_note(subscription: Any) -> str:
    if not isinstance(subscription, dict) or not subscription.get("current_period_end"):
        return ""
    verb = "ends" if subscription.get("cancel_at_period_end") else "renews"
    return f"\n\nYour subscription {verb} on {_readable(subscription['current_period_end'])}."


def render_email(message_type: str, data: dict[str, Any]) -> tuple[str, str]:
    """Subject and plain-text body; a field the data lacks renders empty rather than failing."""
    template = EMAILS.get(message_type, GENERIC)
    fields = _fields(data)
    return template.subject.format_map(fields), template.body.format_map(fields) + SIGN_OFF


def render_html(text: str, unsubscribe_url: str | None = None) -> str:
    """The HTML part: the text's paragraphs, its links clickable, and the unsubscribe link if any."""
    paragraphs = []
    for paragraph in text.split("\n\n"):
        words = [
            f'<a href="{html.escape(word)}">{html.escape(word)}</a>'
            if word.startswith(("https://", "http://"))
            else html.escape(word)
            for word in paragraph.split(" ")
        ]
        paragraphs.append("<p>" + " ".join(words).replace("\n", "<br>") + "</p>")
    if unsubscribe_url:
        paragraphs.append(
            f'<p style="font-size:12px;color:#666"><a href="{html.escape(unsubscribe_url)}">'
            "Stop these emails</a></p>"
        )
    return (
        '<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">'
        + "".join(paragraphs)
        + "</body></html>"
    )


def render_push(message_type: str, data: dict[str, Any]) -> tuple[str, str]:
    """Title and body of a push; a field the data lacks renders empty rather than failing."""
    template = PUSHES.get(message_type, GENERIC_PUSH)
    fields = _fields(data)
    return template.title.format_map(fields)[:200], template.body.format_map(fields)[:1000]
