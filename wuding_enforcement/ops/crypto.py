"""Encryption of backups at rest: AES-256-GCM in 1 MiB chunks, streaming in constant memory.

File: MAGIC, an 8-byte random nonce prefix, then chunks of (4-byte big-endian length, ciphertext+tag). Chunk
i is sealed with nonce = prefix + i and associated data = MAGIC + label + i + final flag, so chunks cannot be
reordered, moved between files (the label), dropped or cut off at the end (the last chunk alone is final).
The key is BACKUP_ENCRYPTION_KEY: 32 random bytes in urlsafe base64.
"""

import base64
import binascii
import hashlib
import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.exceptions import ImproperlyConfigured

MAGIC = b"WDBKENC1"
CHUNK = 1024 * 1024
_LEN = struct.Struct(">I")


class BackupCorrupt(Exception):
    """A backup file fails authentication: wrong key, altered, truncated or not a backup."""


def load_key(value: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(value.encode() + b"=" * (-len(value) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured("BACKUP_ENCRYPTION_KEY 不是有效的 base64 编码。") from exc
    if len(key) != 32:
        raise ImproperlyConfigured("BACKUP_ENCRYPTION_KEY 须为 32 字节随机数的 base64 编码（AES-256）。")
    return key


def _aad(label: bytes, index: int, final: bool) -> bytes:
    return MAGIC + label + struct.pack(">Q?", index, final)


class EncryptingWriter:
    """A write-only file object: what is written is encrypted to `raw` chunk by chunk. Also hashes the
    plaintext (plain_sha256) and counts its bytes."""

    def __init__(self, raw, key: bytes, label: str):
        self.raw = raw
        self.aead = AESGCM(key)
        self.label = label.encode()
        self.prefix = os.urandom(8)
        self.index = 0
        self.buffer = bytearray()
        self.plain = hashlib.sha256()
        self.size = 0
        self.closed = False
        raw.write(MAGIC + self.prefix)

    def _seal(self, data: bytes | memoryview, final: bool):
        nonce = self.prefix + struct.pack(">I", self.index)
        sealed = self.aead.encrypt(nonce, data, _aad(self.label, self.index, final))
        self.raw.write(_LEN.pack(len(sealed)) + sealed)
        self.index += 1

    def write(self, data) -> int:
        view = memoryview(data).cast("B")
        self.plain.update(view)
        self.size += len(view)
        self.buffer += view
        # Keep at least one byte back: the chunk that ends the file must be sealed as final.
        if len(self.buffer) > CHUNK:
            pos = 0
            with memoryview(self.buffer) as whole:
                while len(self.buffer) - pos > CHUNK:
                    self._seal(whole[pos : pos + CHUNK], final=False)
                    pos += CHUNK
                rest = bytes(whole[pos:])
            self.buffer = bytearray(rest)
        return len(view)

    def close(self):
        if not self.closed:
            self._seal(bytes(self.buffer), final=True)
            self.buffer.clear()
            self.closed = True

    def tell(self) -> int:
        return self.size

    def flush(self):
        self.raw.flush()


def decrypt_chunks(raw, key: bytes, label: str):
    """Yield the plaintext of an encrypted file chunk by chunk; BackupCorrupt on any problem."""
    aead = AESGCM(key)
    label_b = label.encode()
    head = raw.read(len(MAGIC) + 8)
    if len(head) != len(MAGIC) + 8 or not head.startswith(MAGIC):
        raise BackupCorrupt(f"{label}：不是本系统的加密备份文件。")
    prefix = head[len(MAGIC) :]
    index = 0
    while True:
        length_bytes = raw.read(_LEN.size)
        if len(length_bytes) < _LEN.size:
            raise BackupCorrupt(f"{label}：文件被截断（缺少结尾）。")
        (length,) = _LEN.unpack(length_bytes)
        sealed = raw.read(length)
        if len(sealed) != length:
            raise BackupCorrupt(f"{label}：文件被截断。")
        nonce = prefix + struct.pack(">I", index)
        for final in (False, True):
            try:
                plain = aead.decrypt(nonce, sealed, _aad(label_b, index, final))
                break
            except InvalidTag:
                continue
        else:
            raise BackupCorrupt(f"{label}：第 {index + 1} 块校验失败（密钥不对，或文件被改动）。")
        yield plain
        index += 1
        if final:
            if raw.read(1):
                raise BackupCorrupt(f"{label}：结尾之后还有多余数据。")
            return


class DecryptingReader:
    """A read-only file object over decrypt_chunks (for tarfile's stream mode)."""

    def __init__(self, raw, key: bytes, label: str):
        self._chunks = decrypt_chunks(raw, key, label)
        self._buffer = b""
        self._done = False

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._buffer) < size):
            try:
                self._buffer += next(self._chunks)
            except StopIteration:
                self._done = True
        if size < 0:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data
