"""What GET and PUT /me/player take and answer."""

from __future__ import annotations

from datetime import datetime
from typing import Self
from uuid import UUID

from pydantic import Field, StrictInt, model_validator

from sauti.models import ApiModel, RequestModel

MAX_QUEUE = 1_000
MAX_POSITION_MS = 24 * 3600 * 1000


class PlayerStateIn(RequestModel):
    queue: list[UUID] = Field(max_length=MAX_QUEUE, description="song ids, in play order")
    index: StrictInt = Field(ge=0, description="the queue entry playing (0 when the queue is empty)")
    position_ms: StrictInt = Field(ge=0, le=MAX_POSITION_MS, description="where in that song")
    device_id: str = Field(min_length=1, max_length=64, description="the device that saved this")

    @model_validator(mode="after")
    def _index_in_queue(self) -> Self:
        if self.index >= max(len(self.queue), 1):
            raise ValueError("index must point into the queue")
        return self


class PlayerState(ApiModel):
    queue: list[str]
    index: int
    position_ms: int
    device_id: str
    updated_at: datetime
    version: int
