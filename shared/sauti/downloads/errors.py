"""The downloads module's errors."""

from __future__ import annotations

from sauti.errors import Conflict, NotFound, RateLimited


class DeviceNotFound(NotFound):
    code, title = "device_not_found", "Device not found"


class DownloadNotFound(NotFound):
    code, title = "download_not_found", "Download not found"


class NotOfflineDevice(Conflict):
    code, title = "not_offline_device", "Not the offline device"


class DeviceDownloadLimit(Conflict):
    code, title = "device_download_limit", "Too many downloads on this device"


class DailyDownloadLimit(RateLimited):
    code, title = "daily_download_limit", "Daily download limit reached"
