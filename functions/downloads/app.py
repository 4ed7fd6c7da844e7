"""Offline downloads: devices, download keys and licenses, sync on reconnect."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from sauti.billing.settings import BillingSettings
from sauti.core_settings import CoreSettings, DatabaseSettings, TokenSettings
from sauti.downloads import logic, offline_plays
from sauti.downloads.models import (
    CreateDownload,
    Device,
    DevicePage,
    DownloadPage,
    IssuedDownload,
    OfflineDevice,
    OfflinePlaysIn,
    OfflinePlaysResult,
    RegisterDevice,
    SyncAnswer,
    SyncRequest,
)
from sauti.downloads.settings import DownloadsSettings
from sauti.http import Cursor, Limit, errors, http_app, lambda_entry
from sauti.settings import require
from sauti.signing.settings import MediaSettings

app = http_app()
require(CoreSettings, DatabaseSettings, TokenSettings, DownloadsSettings, MediaSettings, BillingSettings)


@app.post("/devices", status_code=201)
def register_device(body: RegisterDevice) -> Response[Device]:
    device = logic.register_device(app.principal().user_id, body.name, body.platform, body.public_key)
    return Response(201, "application/json", body=device)


@app.get("/devices")
def list_devices(limit: Limit = logic.PAGE, cursor: Cursor = None) -> DevicePage:
    return logic.list_devices(app.principal().user_id, limit=limit, cursor=cursor)


@app.post("/devices/<device_id>/offline", responses=errors(404))
def make_offline(device_id: str) -> OfflineDevice:
    return logic.make_offline_device(app.principal().user_id, device_id)


@app.post("/devices/<device_id>/sync", responses=errors(404))
def sync(device_id: str, body: SyncRequest) -> SyncAnswer:
    return logic.sync_device(app.principal().user_id, device_id, body.key_ids)


@app.post("/downloads", status_code=201, responses=errors(403, 404, 409, 429))
def create_download(body: CreateDownload) -> Response[IssuedDownload]:
    download = logic.issue_download(app.principal().user_id, body.song_id, body.device_id)
    return Response(201, "application/json", body=download)


@app.get("/downloads", responses=errors(404))
def list_downloads(
    device_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Limit = logic.PAGE,
    cursor: Cursor = None,
) -> DownloadPage:
    return logic.list_downloads(app.principal().user_id, device_id, limit=limit, cursor=cursor)


@app.delete("/downloads/<download_id>", status_code=204, responses=errors(404))
def delete_download(download_id: str) -> Response[None]:
    logic.remove_download(app.principal().user_id, download_id)
    return Response(204)


@app.post("/me/offline-plays", responses=errors(404))
def record_offline_plays(body: OfflinePlaysIn) -> OfflinePlaysResult:
    return offline_plays.record_offline_plays(app.principal().user_id, body.device_id, body.plays)


lambda_handler: Any = lambda_entry(app)
