"""Demo catalog: artists, albums, published songs whose renditions are real (generated) WAV files in the
local R2 bucket, a few videos, and the ad inventory. Idempotent; uploads only the objects the bucket
lacks (the local R2 keeps its files across restarts, so a second start generates none)."""

from __future__ import annotations

import array
import functools
import io
import math
import wave
from collections.abc import Callable
from typing import Any

from sauti.catalog import public as logic
from sauti_dev import sql

SECONDS = 32  # long enough for a play to count
RENDITIONS = (  # quality, sample rate, bytes per sample, codec, bitrate
    ("low", 8000, 1, "pcm_u8", 64),
    ("normal", 11025, 2, "pcm_s16le", 176),
    ("high", 22050, 2, "pcm_s16le", 353),
)
CATALOG: dict[str, dict[str, Any]] = {
    "Amani Wave": {
        "bio": "Coastal benga, Mombasa.",
        "albums": {"Pwani Nights": ["Mawimbi", "Taa za Bandari", "Upepo"]},
        "singles": ["Safari Moja"],
    },
    "Kora Lights": {
        "bio": "Desert blues from Bamako.",
        "albums": {"Sahel Hours": ["Niger Dawn", "Sand Letters"]},
    },
}
VIDEOS = [
    ("Mawimbi (live)", "5d5bc37ffcf54c9b82e996823bffbb81"),
    ("Niger Dawn (video)", "ea95132c15732412d22c1476fa83f27a"),
]
ADS = [("Sauti Premium: no ads", "Sauti", 5), ("Chai ya Asubuhi", "Kahawa Co.", 4)]


def tone_wav(seed: int, seconds: float, rate: int, width: int) -> bytes:
    """A short melody of sine notes (different per ``seed``) as a mono WAV file."""
    notes = [220.0 * 2 ** (((seed * 5 + step * 7) % 12) / 12) for step in range(8)]
    total = int(seconds * rate)
    per_note = total // len(notes)
    lengths = [per_note] * (len(notes) - 1) + [total - per_note * (len(notes) - 1)]
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(b"".join(_note(f, rate, width, n) for f, n in zip(notes, lengths, strict=True)))
    return buffer.getvalue()


@functools.cache
def _note(frequency: float, rate: int, width: int, length: int) -> bytes:
    """One note, faded in and out over 20 ms; cached, as the demo songs share their twelve notes."""
    step, ramp = 2 * math.pi * frequency / rate, rate * 0.02
    values = [math.sin(step * i) * 0.4 * min(1.0, i / ramp, (length - i) / ramp) for i in range(length)]
    if width == 2:
        return array.array("h", [int(value * 32767) for value in values]).tobytes()
    return array.array("B", [int(128 + value * 127) for value in values]).tobytes()


def _upload(key: str, make: Callable[[], bytes]) -> int:
    from botocore.exceptions import ClientError

    from sauti.settings import settings
    from sauti.signing.r2 import client
    from sauti.signing.settings import MediaSettings

    bucket = settings(MediaSettings).media_bucket
    try:
        return int(client().head_object(Bucket=bucket, Key=key)["ContentLength"])
    except ClientError:
        body = make()
        client().put_object(Bucket=bucket, Key=key, Body=body, ContentType="audio/wav")
        return len(body)


def _song_renditions(slug: str, seed: int) -> list[dict]:
    renditions = []
    for quality, rate, width, codec, bitrate in RENDITIONS:
        key = f"audio/{slug}/{quality}.wav"
        size = _upload(key, functools.partial(tone_wav, seed, SECONDS, rate, width))
        renditions.append(
            {
                "quality": quality,
                "codec": codec,
                "bitrate_kbps": bitrate,
                "object_key": key,
                "size_bytes": size,
            }
        )
    return renditions


def seed() -> None:
    seeded = (
        sql.fetch_one("SELECT 1 AS found FROM artists WHERE name = %s", (next(iter(CATALOG)),)) is not None
    )
    number = 0
    songs: dict[str, str] = {}
    for artist_name, spec in CATALOG.items():
        artist_id = None if seeded else logic.create_artist(artist_name, spec["bio"])
        tracks = [(album, title) for album, titles in spec.get("albums", {}).items() for title in titles]
        tracks += [(None, title) for title in spec.get("singles", [])]
        album_ids: dict[str, str] = {}
        for position, (album_title, title) in enumerate(tracks, start=1):
            number += 1
            slug = title.lower().replace(" ", "-")
            renditions = _song_renditions(slug, number)
            if seeded:
                continue
            album_id = None
            if album_title:
                album_id = album_ids.get(album_title) or logic.create_album(artist_id, album_title)  # type: ignore[arg-type]
                album_ids[album_title] = album_id
            songs[title] = logic.create_song(
                artist_id,  # type: ignore[arg-type]
                title,
                SECONDS * 1000,
                renditions,
                album_id=album_id,
                track_number=position if album_id else None,
                isrc=f"KEA0126{number:05d}",
            )
    for index, (title, advertiser, seconds) in enumerate(ADS):
        key = f"ads/ad-{index + 1}.wav"
        _upload(key, functools.partial(tone_wav, 100 + index, seconds, 11025, 2))
        if not seeded:
            logic.create_ad(title, advertiser, key, seconds * 1000, click_url="https://sauti.app/premium")
    if not seeded:
        for title, stream_uid in VIDEOS:
            song_title = title.split(" (")[0]
            row = sql.fetch_one("SELECT artist_id::text FROM songs WHERE id = %s", (songs[song_title],))
            logic.create_video(row["artist_id"], title, stream_uid, 180_000, song_id=songs[song_title])  # type: ignore[index]
