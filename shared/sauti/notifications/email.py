"""Email through SES: a text and an HTML part, ``List-Unsubscribe`` (one click, RFC 8058) on topics
people may switch off, and never to an address SES reported as bouncing or complaining."""

from __future__ import annotations

import base64
import hashlib
import hmac
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import urlencode

from sauti.aws import client
from sauti.core_settings import CoreSettings
from sauti.notifications.settings import NotificationsSettings
from sauti.notifications.templates import render_email, render_html
from sauti.settings import settings

UNSUBSCRIBE_PATH = "/notifications/unsubscribe"


def unsubscribe_token(user_id: str, topic: str) -> str:
    payload = base64.urlsafe_b64encode(f"{user_id}:{topic}".encode()).decode().rstrip("=")
    return f"{payload}.{_signature(payload)}"


def read_unsubscribe_token(token: str) -> tuple[str, str] | None:
    """``(user_id, topic)`` of a token this service signed; None for anything else."""
    payload, dot, signature = token.partition(".")
    if not dot or not hmac.compare_digest(signature, _signature(payload)):
        return None
    try:
        user_id, _, topic = (
            base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode().partition(":")
        )
    except ValueError:
        return None
    return user_id, topic


def _signature(payload: str) -> str:
    key = settings(NotificationsSettings).unsubscribe_secret.encode()
    digest = hmac.new(key, payload.encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def unsubscribe_url(user_id: str, topic: str) -> str:
    base = settings(CoreSettings).public_base_url.rstrip("/")
    return f"{base}{UNSUBSCRIBE_PATH}?{urlencode({'token': unsubscribe_token(user_id, topic)})}"


def compose(message_type: str, address: str, data: dict, *, unsubscribe: str | None = None) -> EmailMessage:
    subject, text = render_email(message_type, data)
    mail = EmailMessage()
    mail["Subject"] = subject
    mail["From"] = settings(NotificationsSettings).email_from
    mail["To"] = address
    mail["Message-ID"] = make_msgid(domain="sauti.app")
    if unsubscribe:
        mail["List-Unsubscribe"] = f"<{unsubscribe}>"
        mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        text += f"\n\nStop these emails: {unsubscribe}"
    mail.set_content(text)
    mail.add_alternative(render_html(text), subtype="html")
    return mail


def send(mail: EmailMessage) -> None:
    options = {}
    configuration_set = settings(NotificationsSettings).ses_configuration_set
    if configuration_set:
        options["ConfigurationSetName"] = configuration_set
    client("ses").send_raw_email(
        Source=str(mail["From"]),  # the recipients: the To header
        RawMessage={"Data": mail.as_bytes()},
        **options,
    )
