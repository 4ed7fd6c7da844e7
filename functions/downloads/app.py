"""Offline downloads: devices, download keys and licenses, sync on reconnect."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from sauti import paging
from sauti.downloads import logic, offline_plays
from sauti.downloads.models import (
    CreateDownload,
    OfflinePlaysIn,
    OfflinePlaysResult,
    RegisterDevice,
    SyncRequest,
)
from sauti.http import errors, http_app, lambda_entry

app = http_app()
Limit = Annotated[int, Query(ge=1, le=paging.MAX_LIMIT)]
Cursor = Annotated[str | None, Query(max_length=paging.CURSOR_MAX_LENGTH)]


@app.post("/devices")
def register_device(body: RegisterDevice) -> Response[dict[str, Any]]:
    device = logic.register_device(app.principal().user_id, body.name, body.platform, body.public_key)
    return Response(201, "application/json", body=device)


@app.get("/devices")
def list_devices(limit: Limit = logic.PAGE, cursor: Cursor = None) -> dict[str, Any]:
    return logic.list_devices(app.principal().user_id, limit=limit, cursor=cursor)


@app.post("/devices/<device_id>/offline")
def make_offline(device_id: str) -> dict[str, Any]:
    return logic.make_offline_device(app.principal().user_id, device_id)


@app.post("/devices/<device_id>/sync")
def sync(device_id: str, body: SyncRequest) -> dict[str, Any]:
    return logic.sync_device(app.principal().user_id, device_id, body.key_ids)


@app.post("/downloads")
def create_download(body: CreateDownload) -> Response[dict[str, Any]]:
    download = logic.issue_download(app.principal().user_id, body.song_id, body.device_id)
    return Response(201, "application/json", body=download)


@app.get("/downloads")
def list_downloads(
    device_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Limit = logic.PAGE,
    cursor: Cursor = None,
) -> dict[str, Any]:
    return logic.list_downloads(app.principal().user_id, device_id, limit=limit, cursor=cursor)


@app.delete("/downloads/<download_id>")
def delete_download(download_id: str) -> Response[str]:
    logic.remove_download(app.principal().user_id, download_id)
    return Response(204, "application/json", body="")


@app.post("/me/offline-plays", responses=errors(404))
def record_offline_plays(body: OfflinePlaysIn) -> OfflinePlaysResult:
    return offline_plays.record_offline_plays(app.principal().user_id, body.device_id, body.plays)


lambda_handler: Any = lambda_entry(app)
