"""Encryption of backup archives, streamed in chunks so a many-gigabyte archive never sits
in memory.

The key is 32 random bytes (AES-256), given as URL-safe base64 in CLINIC_BACKUP_KEY
(`manage.py backup --generate-key` prints a new one). The format is the STREAM
construction (Hoang, Reyhanitabar, Rogaway, Vizár, "Online Authenticated-Encryption and its
Nonce-Reuse Misuse-Resistance", CRYPTO 2015), as age and Tink use it, over AES-GCM from
`cryptography`:

    MAGIC (8 bytes) | nonce prefix (7 random bytes) | chunk...
    chunk = ciphertext length (4 bytes, big-endian) | AES-GCM(plaintext chunk)

Each chunk's 12-byte nonce is the prefix, a 4-byte chunk counter and a last-chunk flag, and
the header is the associated data: a changed, reordered, dropped or appended chunk, or a
stream cut short before its last chunk, fails to decrypt.
"""

from __future__ import annotations

import base64
import binascii
import os
import struct
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"GIMSBK1\n"
PREFIX_LEN = 7
CHUNK = 1024 * 1024
TAG = 16
_LEN = struct.Struct(">I")


class ArchiveKeyError(Exception):
    """The key is missing, malformed or not the one the archive was written with, or the
    encrypted archive is damaged."""


def key_generate() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def key_parse(text: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode())
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise ArchiveKeyError(
            "CLINIC_BACKUP_KEY must be 32 bytes in URL-safe base64 "
            "(make one with `manage.py backup --generate-key`)."
        )
    return key


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    if counter >= 2**32:
        raise ArchiveKeyError("archive too large for one key stream")
    return prefix + struct.pack(">I", counter) + (b"\x01" if last else b"\x00")


def is_encrypted(head: bytes) -> bool:
    return head.startswith(MAGIC)


class EncryptingWriter:
    """A write-only file object: what is written to it reaches `sink` encrypted. Call
    close() to write the last chunk (the sink is left open)."""

    def __init__(self, sink: BinaryIO, key: bytes) -> None:
        self._sink = sink
        self._aead = AESGCM(key)
        self._prefix = os.urandom(PREFIX_LEN)
        self._header = MAGIC + self._prefix
        self._buffer = bytearray()
        self._counter = 0
        self._closed = False
        sink.write(self._header)

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._buffer += data
        # Keep at least one byte back: the last chunk must be written by close(), flagged.
        while len(self._buffer) > CHUNK:
            self._emit(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def flush(self) -> None:
        self._sink.flush()

    def _emit(self, plain: bytes, *, last: bool) -> None:
        sealed = self._aead.encrypt(_nonce(self._prefix, self._counter, last), plain, self._header)
        self._sink.write(_LEN.pack(len(sealed)) + sealed)
        self._counter += 1

    def close(self) -> None:
        if not self._closed:
            self._emit(bytes(self._buffer), last=True)
            self._buffer.clear()
            self._closed = True
            self._sink.flush()


class DecryptingReader:
    """A read-only file object over an encrypted archive: reads return plaintext, each
    chunk checked before any of it is returned. Raises ArchiveKeyError for a wrong key, a
    damaged chunk or a stream that ends before its last chunk."""

    def __init__(self, source: BinaryIO, key: bytes) -> None:
        self._source = source
        header = source.read(len(MAGIC) + PREFIX_LEN)
        if not is_encrypted(header) or len(header) != len(MAGIC) + PREFIX_LEN:
            raise ArchiveKeyError("not an encrypted backup archive")
        self._header = header
        self._prefix = header[len(MAGIC) :]
        self._aead = AESGCM(key)
        self._counter = 0
        self._buffer = b""
        self._pos = 0  # read position in _buffer (slicing it on every read would copy)
        self._done = False

    def readable(self) -> bool:
        return True

    def _next_chunk(self) -> None:
        raw_len = self._source.read(_LEN.size)
        if len(raw_len) != _LEN.size:
            raise ArchiveKeyError("the encrypted archive is truncated (its last part is missing)")
        (length,) = _LEN.unpack(raw_len)
        if length < TAG or length > CHUNK + TAG:
            raise ArchiveKeyError("the encrypted archive is damaged (bad chunk length)")
        sealed = self._source.read(length)
        if len(sealed) != length:
            raise ArchiveKeyError("the encrypted archive is truncated (a chunk is cut short)")
        for last in (False, True):
            try:
                plain = self._aead.decrypt(
                    _nonce(self._prefix, self._counter, last), sealed, self._header
                )
            except InvalidTag:
                continue
            self._counter += 1
            self._buffer = self._buffer[self._pos :] + plain
            self._pos = 0
            if last:
                self._done = True
                if self._source.read(1):
                    raise ArchiveKeyError("the encrypted archive has data after its end")
            return
        raise ArchiveKeyError(
            "the archive cannot be decrypted: wrong CLINIC_BACKUP_KEY, or the archive is damaged"
        )

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._buffer) - self._pos < size):
            self._next_chunk()
        available = len(self._buffer) - self._pos
        if size < 0 or size > available:
            size = available
        out = self._buffer[self._pos : self._pos + size]
        self._pos += size
        return out

    def close(self) -> None:
        self._source.close()

    def __enter__(self) -> DecryptingReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
