"""Encrypted files on disk: AES-256-GCM in fixed-size chunks, constant memory either way.

File layout::

    header:  MAGIC (8 bytes) | chunk_size (4, big-endian) | nonce_prefix (8) | key_id length (2) | key_id
    chunks:  ciphertext_i || tag_i (16 bytes), every chunk chunk_size bytes of plaintext except the last

Chunk ``i`` is sealed with nonce ``nonce_prefix || i`` (4-byte big-endian counter) and associated data
``header || i || final`` where ``final`` is 1 on the last chunk only. So a chunk moved to another
place fails (index), a file cut short fails (the last chunk left is not marked final), a file
grown fails (data after the final chunk), and a header edited fails (it is in every chunk's AAD).
The nonce prefix is random per file, so one content key never sees a nonce twice.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"SAUTIOF1"
CHUNK_SIZE = 64 * 1024
TAG_SIZE = 16
MAX_CHUNKS = 2**32


class VaultError(Exception):
    """The file is not an intact Sauti offline file for this key."""


def _aad(header: bytes, index: int, final: bool) -> bytes:
    return header + struct.pack(">IB", index, 1 if final else 0)


def _nonce(prefix: bytes, index: int) -> bytes:
    return prefix + struct.pack(">I", index)


def _chunks_of(stream: Iterable[bytes], size: int) -> Iterator[tuple[bytes, bool]]:
    """Re-cut any byte stream into ``size``-byte chunks, flagging the last one (which may be empty)."""
    buffer = b""
    pending: bytes | None = None
    for piece in stream:
        buffer += piece
        while len(buffer) >= size:
            if pending is not None:
                yield pending, False
            pending, buffer = buffer[:size], buffer[size:]
    if pending is not None:
        if buffer:
            yield pending, False
            yield buffer, True
        else:
            yield pending, True
    else:
        yield buffer, True


def encrypt_to_file(
    plaintext: Iterable[bytes], path: Path, content_key: bytes, key_id: str, chunk_size: int = CHUNK_SIZE
) -> int:
    """Encrypt a byte stream into ``path`` (written atomically); returns the plaintext size."""
    aead = AESGCM(content_key)
    key_id_bytes = key_id.encode()
    header = (
        MAGIC
        + struct.pack(">I", chunk_size)
        + os.urandom(8)
        + struct.pack(">H", len(key_id_bytes))
        + key_id_bytes
    )
    prefix = header[12:20]
    partial = path.with_suffix(path.suffix + ".part")
    size = 0
    with partial.open("wb") as out:
        out.write(header)
        for index, (chunk, final) in enumerate(_chunks_of(plaintext, chunk_size)):
            if index >= MAX_CHUNKS:
                raise VaultError("file too large for one content key")
            out.write(aead.encrypt(_nonce(prefix, index), chunk, _aad(header, index, final)))
            size += len(chunk)
    partial.replace(path)
    return size


def _read_header(handle: BinaryIO) -> tuple[bytes, int, bytes, str]:
    fixed = handle.read(22)
    if len(fixed) != 22 or fixed[:8] != MAGIC:
        raise VaultError("not a Sauti offline file")
    (chunk_size,) = struct.unpack(">I", fixed[8:12])
    (key_id_length,) = struct.unpack(">H", fixed[20:22])
    key_id = handle.read(key_id_length)
    if len(key_id) != key_id_length or not 0 < chunk_size <= 16 * 1024 * 1024:
        raise VaultError("damaged header")
    return fixed + key_id, chunk_size, fixed[12:20], key_id.decode()


def key_id_of(path: Path) -> str:
    with path.open("rb") as handle:
        return _read_header(handle)[3]


def decrypt_file(path: Path, content_key: bytes) -> Iterator[bytes]:
    """Yield the plaintext chunk by chunk; raises VaultError at the first chunk that fails."""
    aead = AESGCM(content_key)
    with path.open("rb") as handle:
        header, chunk_size, prefix, _key_id = _read_header(handle)
        sealed_size = chunk_size + TAG_SIZE
        index = 0
        current = handle.read(sealed_size)
        while True:
            following = handle.read(sealed_size)
            final = not following
            try:
                yield aead.decrypt(_nonce(prefix, index), current, _aad(header, index, final))
            except InvalidTag as exc:
                raise VaultError(f"chunk {index} failed authentication") from exc
            if final:
                return
            current, index = following, index + 1
