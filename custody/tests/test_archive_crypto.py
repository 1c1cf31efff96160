"""Backup archives' encryption: streamed in chunks, and any change, reordering or cut of
the stream is refused (custody/services/archive_crypto.py)."""

from __future__ import annotations

import io
import os

import pytest

from custody.services import archive_crypto as crypto


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    monkeypatch.setattr(crypto, "CHUNK", 64)


@pytest.fixture
def key() -> bytes:
    return crypto.key_parse(crypto.key_generate())


def _encrypt(plain: bytes, key: bytes, pieces: int = 7) -> bytes:
    sink = io.BytesIO()
    writer = crypto.EncryptingWriter(sink, key)
    step = max(len(plain) // pieces, 1)
    for start in range(0, len(plain), step):
        writer.write(plain[start : start + step])
    writer.close()
    return sink.getvalue()


def _decrypt(sealed: bytes, key: bytes, read_size: int = 10) -> bytes:
    reader = crypto.DecryptingReader(io.BytesIO(sealed), key)
    out = b""
    while chunk := reader.read(read_size):
        out += chunk
    return out


@pytest.mark.parametrize("size", [0, 1, 63, 64, 65, 1000])
def test_round_trip_over_chunk_boundaries(key, size):
    plain = os.urandom(size)
    sealed = _encrypt(plain, key)
    assert crypto.is_encrypted(sealed)
    assert _decrypt(sealed, key) == plain
    assert crypto.DecryptingReader(io.BytesIO(sealed), key).read() == plain


def test_a_changed_byte_is_refused(key):
    sealed = bytearray(_encrypt(os.urandom(500), key))
    sealed[200] ^= 1
    with pytest.raises(crypto.ArchiveKeyError, match="cannot be decrypted"):
        _decrypt(bytes(sealed), key)


def test_a_stream_cut_at_a_chunk_boundary_is_refused(key):
    sealed = _encrypt(os.urandom(500), key)
    header = len(crypto.MAGIC) + crypto.PREFIX_LEN
    first_two_chunks = header + 2 * (4 + 64 + crypto.TAG)
    with pytest.raises(crypto.ArchiveKeyError, match="truncated"):
        _decrypt(sealed[:first_two_chunks], key)


def test_swapped_chunks_are_refused(key):
    sealed = _encrypt(os.urandom(500), key)
    header = len(crypto.MAGIC) + crypto.PREFIX_LEN
    size = 4 + 64 + crypto.TAG
    one, two = sealed[header : header + size], sealed[header + size : header + 2 * size]
    swapped = sealed[:header] + two + one + sealed[header + 2 * size :]
    with pytest.raises(crypto.ArchiveKeyError):
        _decrypt(swapped, key)


def test_data_after_the_last_chunk_is_refused(key):
    with pytest.raises(crypto.ArchiveKeyError, match="after its end"):
        _decrypt(_encrypt(b"short", key) + b"more", key)


def test_another_key_is_refused(key):
    other = crypto.key_parse(crypto.key_generate())
    with pytest.raises(crypto.ArchiveKeyError, match="wrong CLINIC_BACKUP_KEY"):
        _decrypt(_encrypt(b"secret", key), other)


@pytest.mark.parametrize("text", ["", "short", "!" * 44])
def test_a_malformed_key_is_refused_with_how_to_make_one(text):
    with pytest.raises(crypto.ArchiveKeyError, match="--generate-key"):
        crypto.key_parse(text)
