"""R2 presigned URLs (SigV4, region ``auto``) for uploads and downloads, through boto3 pointed at R2.

boto3 is imported on first use only: the play path never presigns (it signs CDN links).
"""

from __future__ import annotations

import functools
from typing import Any

from sauti.settings import settings
from sauti.signing.settings import MediaSettings, R2Settings

REGION = "auto"


@functools.cache
def client() -> Any:
    import boto3
    from botocore.config import Config

    r2 = settings(R2Settings)
    return boto3.session.Session().client(
        "s3",
        endpoint_url=r2.r2_endpoint_url or None,  # empty: AWS_ENDPOINT_URL
        region_name=REGION,
        aws_access_key_id=r2.r2_access_key_id,
        aws_secret_access_key=r2.r2_secret_access_key,
        config=Config(
            signature_version="s3v4",
            s3={"addressing_style": "path"},
            connect_timeout=2,
            read_timeout=5,
            retries={"max_attempts": 2, "mode": "standard"},
        ),
    )


def presigned_download_url(object_key: str, *, expires_in: int | None = None) -> str:
    return str(
        client().generate_presigned_url(
            "get_object",
            Params={"Bucket": settings(MediaSettings).media_bucket, "Key": object_key},
            ExpiresIn=expires_in or settings(MediaSettings).media_link_ttl_seconds,
        )
    )


def presigned_upload_url(
    object_key: str, content_type: str, *, content_length: int | None = None, expires_in: int | None = None
) -> str:
    """A PUT URL; the uploader must send the same ``Content-Type`` (and ``Content-Length``, when given:
    both are signed headers, so R2 refuses another type or size)."""
    params: dict[str, Any] = {
        "Bucket": settings(MediaSettings).media_bucket,
        "Key": object_key,
        "ContentType": content_type,
    }
    if content_length is not None:
        params["ContentLength"] = content_length
    return str(
        client().generate_presigned_url(
            "put_object",
            Params=params,
            ExpiresIn=expires_in or settings(MediaSettings).media_link_ttl_seconds,
        )
    )


def head(object_key: str) -> dict[str, Any] | None:
    """``{size_bytes, content_type}`` of the object, or None when it is not there."""
    from botocore.exceptions import ClientError

    try:
        found = client().head_object(Bucket=settings(MediaSettings).media_bucket, Key=object_key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    return {"size_bytes": found.get("ContentLength"), "content_type": found.get("ContentType")}
