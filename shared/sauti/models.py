"""Response building blocks every module's ``models.py`` shares."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel, ConfigDict

from sauti import paging

Item = TypeVar("Item")

# The query parameters of every list route: ``limit: Limit = paging.DEFAULT_LIMIT, cursor: Cursor = None``.
Limit = Annotated[int, Query(ge=1, le=paging.MAX_LIMIT)]
Cursor = Annotated[str | None, Query(max_length=paging.CURSOR_MAX_LENGTH)]


class ApiModel(BaseModel):
    """A response model: unknown keys in the source are dropped, never sent."""

    model_config = ConfigDict(extra="ignore")


class RequestModel(BaseModel):
    """A request model: unknown fields are refused (422), so a client's typo is not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class Page(ApiModel, Generic[Item]):
    """A page of a list: ``?limit=&cursor=`` in, this out."""

    items: list[Item]
    next_cursor: str | None
