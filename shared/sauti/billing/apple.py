"""Apple: App Store Server Notifications V2 and StoreKit 2 signed transactions.

Everything Apple signs is verified by Apple's own ``SignedDataVerifier``: the
x5c chain up to a trusted root (``APPLE_ROOT_CERTIFICATES``), the ES256
signature, the bundle id and the environment. With ``APPLE_ENVIRONMENT=Production``,
data that Apple marks Sandbox (App Review buys in the sandbox against the
production build) is verified again with a Sandbox verifier, as Apple advises,
unless ``APPLE_SANDBOX_IN_PRODUCTION`` is off; the subscription records which
environment it came from. Outside ``APP_ENV=local`` it
also asks Apple's OCSP responder about the chain; locally that is off, since
the local test root is unknown to Apple. A subscription is linked to a user by
``appAccountToken`` (the iOS app sets it to the user id) and, once stored, by
its ``originalTransactionId``. Notifications are deduplicated by
``notificationUUID`` and ordered by their ``signedDate``.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sauti import clock
from sauti.billing import store, vendor_time
from sauti.billing.errors import InvalidSignature, MalformedPayload, PurchaseLinkedElsewhere
from sauti.billing.logic import (
    Applied,
    SourceState,
    after_commit,
    apply_state,
    as_user_id,
    counted_webhook,
    handle_event,
    refuse_event,
    subscription_view,
    sync_plan,
)
from sauti.billing.models import SubscriptionView
from sauti.billing.settings import AppleSettings
from sauti.config import config
from sauti.db import transaction
from sauti.errors import Forbidden, ServiceUnavailable, ValidationFailed
from sauti.observability import logger
from sauti.settings import settings

BUNDLED_ROOT = Path(__file__).parent / "certs" / "AppleRootCA-G3.pem"
ENVIRONMENTS = ("Production", "Sandbox")  # never Xcode or LocalTesting: those skip verification
AUTO_RENEWABLE = "Auto-Renewable Subscription"

# notificationType -> the subscription status it leaves (None: read it from the transaction)
STATUS_BY_TYPE: dict[str, str | None] = {
    "SUBSCRIBED": "active",
    "DID_RENEW": "active",
    "DID_CHANGE_RENEWAL_STATUS": None,
    "DID_FAIL_TO_RENEW": "billing_retry",  # "in_grace" with the GRACE_PERIOD subtype
    "GRACE_PERIOD_EXPIRED": "billing_retry",
    "EXPIRED": "expired",
    "REFUND": "refunded",
    "REVOKE": "revoked",
}


def root_paths() -> list[Path]:
    """The trusted roots: Apple's (bundled) unless APPLE_ROOT_CERTIFICATES names others (the local stack
    adds its test root there)."""
    value = settings(AppleSettings).apple_root_certificates
    return [Path(part.strip()) for part in value.split(",") if part.strip()] or [BUNDLED_ROOT]


def _der(path: Path) -> bytes:
    data = path.read_bytes()
    if b"-----BEGIN CERTIFICATE-----" not in data:
        return data
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    return x509.load_pem_x509_certificate(data).public_bytes(Encoding.DER)


def environments() -> list[str]:
    """The environments to verify with, in order: the configured one, then Sandbox for App Review."""
    apple = settings(AppleSettings)
    environment = apple.apple_environment
    if environment == "Production" and apple.apple_sandbox_in_production:
        return ["Production", "Sandbox"]
    return [environment]


def verifier(environment: str) -> Any:
    apple = settings(AppleSettings)
    app_apple_id = apple.apple_app_apple_id if environment == "Production" else ""
    return _verifier(
        environment,
        apple.apple_bundle_id,
        int(app_apple_id) if app_apple_id else None,
        tuple(str(path) for path in root_paths()),
        not config().is_local,
    )


@functools.cache
def _verifier(
    environment: str, bundle_id: str, app_apple_id: int | None, roots: tuple[str, ...], online: bool
) -> Any:
    from appstoreserverlibrary.models.Environment import Environment
    from appstoreserverlibrary.signed_data_verifier import SignedDataVerifier

    return SignedDataVerifier(
        root_certificates=[_der(Path(path)) for path in roots],
        enable_online_checks=online,
        environment=Environment(environment),
        bundle_id=bundle_id,
        app_apple_id=app_apple_id,
    )


def _verified(method: str, signed: str, environment: str | None = None) -> tuple[Any, str]:
    """Decode ``signed`` with the verifier's ``method`` and return it with its environment: 400 when the
    data is not Apple's (or not ours), 503 when Apple's OCSP responder could not be asked. Without
    ``environment``, each of ``environments()`` is tried while the answer may mean "another environment"
    (the Sandbox verifier checks the bundle id and the environment again)."""
    from appstoreserverlibrary.signed_data_verifier import VerificationException, VerificationStatus

    another_environment = (VerificationStatus.INVALID_ENVIRONMENT, VerificationStatus.INVALID_APP_IDENTIFIER)
    candidates = [environment] if environment else environments()
    for index, candidate in enumerate(candidates):
        try:
            return getattr(verifier(candidate), method)(signed), candidate
        except VerificationException as exc:
            # Sandbox data carries no appAppleId, so the Production verifier may refuse it for that first
            if exc.status in another_environment and index + 1 < len(candidates):
                continue
            if exc.status == VerificationStatus.RETRYABLE_VERIFICATION_FAILURE:
                raise ServiceUnavailable("Apple's certificate status service did not answer") from exc
            raise InvalidSignature(f"the signed data was refused ({exc.status.name.lower()})") from exc
        except Exception as exc:  # verified, but not the shape Apple documents
            raise MalformedPayload("the signed data is not an App Store payload") from exc
    raise AssertionError("unreachable: at least one environment is configured")


def _time(milliseconds: Any, field: str) -> datetime | None:
    return vendor_time.from_milliseconds(milliseconds, field) if milliseconds else None


@counted_webhook("apple")
def handle_notification(signed_payload: str, now: datetime | None = None) -> str:
    """An App Store Server Notification V2; returns the outcome (``duplicate`` for a redelivery)."""
    notification, environment = _verified("verify_and_decode_notification", signed_payload)
    notification_id = notification.notificationUUID
    if not isinstance(notification_id, str) or not notification_id:
        raise MalformedPayload("the notification has no notificationUUID")
    kind = notification.rawNotificationType or "UNKNOWN"
    data = notification.data
    if kind not in STATUS_BY_TYPE or data is None or not data.signedTransactionInfo:
        return handle_event("apple", notification_id, kind, lambda _conn: [], now)
    transaction_info, _ = _verified(
        "verify_and_decode_signed_transaction", data.signedTransactionInfo, environment
    )
    renewal = (
        _verified("verify_and_decode_renewal_info", data.signedRenewalInfo, environment)[0]
        if data.signedRenewalInfo
        else None
    )
    if not transaction_info.originalTransactionId:
        raise MalformedPayload("the transaction has no originalTransactionId")
    try:
        observed_at = _time(notification.signedDate, "signedDate") or clock.now()
        state = notification_state(kind, notification.rawSubtype, transaction_info, renewal, observed_at)
    except vendor_time.TimestampOutOfRange as exc:
        refuse_event("apple", notification_id, kind, exc)
        raise
    state = replace(state, environment=environment)
    return handle_event("apple", notification_id, kind, lambda conn: [apply_state(conn, state)], now)


def notification_state(
    kind: str, subtype: str | None, transaction_info: Any, renewal: Any, observed_at: datetime
) -> SourceState:
    period_end = _time(transaction_info.expiresDate, "expiresDate")
    status = STATUS_BY_TYPE[kind]
    grace_until = None
    if kind == "DID_FAIL_TO_RENEW" and subtype == "GRACE_PERIOD":
        status = "in_grace"
        grace_until = _time(renewal.gracePeriodExpiresDate, "gracePeriodExpiresDate") if renewal else None
    if status is None:
        status = _status_of(transaction_info, observed_at)
    cancel = None
    if kind == "DID_CHANGE_RENEWAL_STATUS":
        cancel = subtype == "AUTO_RENEW_DISABLED"
    elif renewal is not None and renewal.rawAutoRenewStatus is not None:
        cancel = renewal.rawAutoRenewStatus == 0
    return SourceState(
        source="apple",
        external_id=str(transaction_info.originalTransactionId),
        status=status,
        observed_at=observed_at,
        user_id=as_user_id(transaction_info.appAccountToken),
        current_period_end=period_end,
        cancel_at_period_end=cancel,
        grace_until=grace_until,
    )


def _status_of(transaction_info: Any, at: datetime) -> str:
    if transaction_info.revocationDate:
        return "revoked"
    period_end = _time(transaction_info.expiresDate, "expiresDate")
    return "active" if period_end is None or period_end > at else "expired"


def register_transaction(
    user_id: str, signed_transaction: str, now: datetime | None = None
) -> SubscriptionView:
    """A StoreKit 2 transaction the app sends after a purchase or restore; returns the subscription view."""
    transaction_info, environment = _verified("verify_and_decode_signed_transaction", signed_transaction)
    if transaction_info.rawType != AUTO_RENEWABLE or not transaction_info.originalTransactionId:
        raise ValidationFailed("this transaction is not an auto-renewable subscription")
    token = transaction_info.appAccountToken
    if token and as_user_id(token) != user_id:
        raise Forbidden("this purchase was made for another account")
    now = now or clock.now()
    observed_at = _time(transaction_info.signedDate, "signedDate") or now
    state = SourceState(
        source="apple",
        external_id=str(transaction_info.originalTransactionId),
        status=_status_of(transaction_info, now),
        observed_at=observed_at,
        user_id=user_id,
        current_period_end=_time(transaction_info.expiresDate, "expiresDate"),
        environment=environment,
    )
    with transaction() as conn:
        existing = store.lock_subscription(conn, "apple", state.external_id)
        if existing is not None and str(existing["user_id"]) != user_id:
            raise PurchaseLinkedElsewhere("this purchase is already linked to another account")
        result: Applied = apply_state(conn, state)
        syncs = (
            [sync_plan(conn, user_id, now, cause="apple:transaction")] if result.outcome == "applied" else []
        )
    after_commit([user_id], syncs)
    logger.info("apple transaction", extra={"outcome": result.outcome})
    return subscription_view(user_id)
