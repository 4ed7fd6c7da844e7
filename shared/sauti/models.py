"""Response building blocks every module's ``models.py`` shares."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict

Item = TypeVar("Item")


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
