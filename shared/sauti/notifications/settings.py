"""The notifications module's settings (push through FCM, email through SES, limits)."""

from __future__ import annotations

from sauti.settings import Settings, setting


class NotificationsSettings(Settings):
    email_from: str = setting(
        "Sauti <no-reply@sauti.local>",
        doc="sender of every email (an SES-verified identity)",
        local_only=True,
    )
    push_tokens_per_user: int = setting(
        20, doc="most push tokens one account keeps; registering another forgets its oldest"
    )
    release_fanout_chunk: int = setting(
        500, doc="followers per fan-out message when an artist publishes a song or video"
    )
    ses_configuration_set: str = setting(
        "", doc="SES configuration set whose event destination sends bounces and complaints to SNS"
    )
    unsubscribe_secret: str = setting(
        "sauti-local-unsubscribe-secret",
        secret=True,
        doc="key of the one-click unsubscribe links in non-transactional emails",
    )


class FcmSettings(Settings):
    """Firebase Cloud Messaging HTTP v1. The local default service account is generated once into the
    local data folder and its ``token_uri`` points at the local fake (sauti.notifications.fcm)."""

    firebase_service_account: str = setting(
        doc="the Firebase service-account key: its JSON, or a path to it", secret=True
    )
    fcm_api_base: str = setting(
        "https://fcm.googleapis.com", doc="where FCM sends go (the local stack points it at its fake)"
    )
    fcm_concurrency: int = setting(32, doc="FCM sends one worker has in flight at once")
    fcm_timeout_seconds: float = setting(5, doc="timeout of each call to FCM and its token endpoint")


class EmailFeedbackSettings(Settings):
    """What the SES feedback function checks of each SNS record (sauti.notifications.sns)."""

    email_feedback_topic_arn: str = setting(
        "arn:aws:sns:us-east-1:123456789012:sauti-dev-email-feedback",
        doc="the SNS topic SES publishes bounces and complaints to; a record of another topic is refused",
        local_only=True,
    )
    sns_signing_cert_url_pattern: str = setting(
        r"https://sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/SimpleNotificationService-[0-9a-f]+\.pem",
        doc="regular expression a record's SigningCertURL must match whole (SNS's own certificate "
        "addresses; the local stack adds its stand-in's)",
    )
