"""The words of each email, by message type. Data fields fill the placeholders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class EmailTemplate:
    subject: str
    body: str


EMAILS: dict[str, EmailTemplate] = {
    "auth.password_reset": EmailTemplate(
        "Reset your Sauti password",
        "Someone asked to reset the password of your Sauti account.\n\n"
        "Use this code within {expires_minutes} minutes: {token}\n\n"
        "If it was not you, ignore this email: your password stays the same.",
    ),
    "auth.email_verification": EmailTemplate(
        "Confirm your email for Sauti",
        "Welcome to Sauti, {display_name}.\n\nConfirm your email with this code: {token}",
    ),
}
GENERIC = EmailTemplate("News from Sauti", "{message}")


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def render_email(message_type: str, data: dict[str, Any]) -> tuple[str, str]:
    """Subject and plain-text body; a field the data lacks renders empty rather than failing."""
    template = EMAILS.get(message_type, GENERIC)
    fields = _Blank(data)
    return template.subject.format_map(fields), template.body.format_map(fields)
