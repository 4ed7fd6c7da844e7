"""Every settings model of the project, in one list: the README's configuration table is checked
against it. A module that declares a settings model adds it here."""

from __future__ import annotations

from sauti.settings import Settings


def all_models() -> list[type[Settings]]:
    from sauti.analytics.settings import AnalyticsSettings
    from sauti.auth.settings import AuthSettings
    from sauti.billing.settings import AppleSettings, BillingSettings, StripeSettings
    from sauti.core_settings import (
        ClientAddressSettings,
        CoreSettings,
        DatabaseSettings,
        FrontDoorSettings,
        TokenSettings,
    )
    from sauti.downloads.settings import DownloadsSettings
    from sauti.notifications.settings import NotificationsSettings
    from sauti.playback.settings import PlaybackSettings
    from sauti.search.settings import SearchSettings
    from sauti.signing.settings import MediaSettings, R2Settings, StreamSettings

    return [
        CoreSettings,
        ClientAddressSettings,
        FrontDoorSettings,
        DatabaseSettings,
        TokenSettings,
        AuthSettings,
        MediaSettings,
        StreamSettings,
        R2Settings,
        BillingSettings,
        StripeSettings,
        AppleSettings,
        DownloadsSettings,
        AnalyticsSettings,
        PlaybackSettings,
        NotificationsSettings,
        SearchSettings,
    ]
