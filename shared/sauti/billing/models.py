"""Request bodies of the billing routes."""

from __future__ import annotations

from pydantic import BaseModel, Field

URL_PATTERN = r"^https?://\S+$"


class CheckoutRequest(BaseModel):
    success_url: str = Field(pattern=URL_PATTERN, max_length=2000)
    cancel_url: str = Field(pattern=URL_PATTERN, max_length=2000)


class PortalRequest(BaseModel):
    return_url: str = Field(pattern=URL_PATTERN, max_length=2000)


class AppleTransactionRequest(BaseModel):
    signed_transaction_info: str = Field(min_length=1, max_length=20_000)


class AppleNotificationRequest(BaseModel):
    signedPayload: str = Field(min_length=1, max_length=100_000)
