"""The exchange file (.shienx): one encrypted file that carries records between copies.

Layout: an 8-byte magic, a 4-byte length, a JSON header in the clear (format, source device,
schema revision, key-derivation parameters, nonce, ciphertext length), then the ciphertext.
The body is zlib-compressed JSON (a manifest with record counts and a SHA-256 of the records,
then the records) sealed with AES-256-GCM under a key derived from the passphrase by scrypt.
The magic and the whole header are the associated data, so the device id and the schema
revision cannot be altered without the file failing to open.

A file is written to a temporary name, flushed to disk, renamed, and read back and decrypted
before the caller is told the stick can be removed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shienapp.core.errors import UserError

MAGIC = b"SHIENX\r\n"
FORMAT = 1
SUFFIX = ".shienx"
_KEY_CHECK = b"shienapp exchange passphrase check"
# scrypt at n=2^15, r=8 costs ~32 MB and ~0.1 s: cheap for one file, dear for a guesser.
_SCRYPT = {"n": 2**15, "r": 8, "p": 1}
MIN_PASSPHRASE = 8


class ExchangeFileError(UserError):
    """The file cannot be read: wrong passphrase, damaged, cut short, or not an exchange file."""


@dataclass(frozen=True)
class Header:
    device_id: str
    device_name: str
    schema: str
    created_at: str
    raw: dict[str, Any]


@dataclass(frozen=True)
class Exchange:
    """A decrypted exchange file: its header, manifest and tables of records."""

    header: Header
    manifest: dict[str, Any]
    tables: dict[str, dict[str, Any]]


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise UserError(
            f"パスフレーズは {MIN_PASSPHRASE} 文字以上にしてください（個人情報を守るため）。"
        )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _derive(passphrase: str, salt: bytes, params: dict[str, int]) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    kdf = Scrypt(salt=salt, length=32, n=params["n"], r=params["r"], p=params["p"])
    return kdf.derive(passphrase.encode("utf-8"))


def _key_check(key: bytes) -> str:
    return _b64(hmac.new(key, _KEY_CHECK, hashlib.sha256).digest()[:16])


def records_digest(tables_json: bytes) -> str:
    return hashlib.sha256(tables_json).hexdigest()


def encode(
    passphrase: str,
    *,
    device_id: str,
    device_name: str,
    schema: str,
    created_at: str,
    manifest: dict[str, Any],
    tables: dict[str, dict[str, Any]],
) -> bytes:
    """The bytes of an exchange file; ``manifest`` gains the checksum of ``tables``."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    check_passphrase(passphrase)
    tables_json = json.dumps(tables, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    manifest = {**manifest, "checksum": records_digest(tables_json)}
    manifest_json = json.dumps(manifest, ensure_ascii=False, separators=(",", ":")).encode()
    plain = zlib.compress(manifest_json + b"\n" + tables_json, 6)
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    key = _derive(passphrase, salt, _SCRYPT)
    header = {
        "format": FORMAT,
        "device_id": device_id,
        "device_name": device_name,
        "schema": schema,
        "created_at": created_at,
        "kdf": {"name": "scrypt", "salt": _b64(salt), **_SCRYPT},
        "cipher": "AES-256-GCM",
        "nonce": _b64(nonce),
        "key_check": _key_check(key),
        # GCM adds a 16-byte tag; the length lets a cut file be told from a tampered one.
        "length": len(plain) + 16,
    }
    header_bytes = json.dumps(header, ensure_ascii=False, sort_keys=True).encode("utf-8")
    prefix = MAGIC + len(header_bytes).to_bytes(4, "big") + header_bytes
    return prefix + AESGCM(key).encrypt(nonce, plain, prefix)


def read_header(data: bytes, name: str = "ファイル") -> tuple[Header, bytes, bytes]:
    """The header, the authenticated prefix and the ciphertext; no passphrase needed."""
    if not data.startswith(MAGIC):
        if MAGIC.startswith(data[: len(MAGIC)]) and len(data) < len(MAGIC) + 4:
            raise ExchangeFileError(f"{name} は途中で切れています（ファイルが不完全です）。")
        raise ExchangeFileError(f"{name} は shienapp の交換ファイル（.shienx）ではありません。")
    if len(data) < len(MAGIC) + 4:
        raise ExchangeFileError(f"{name} は途中で切れています（ファイルが不完全です）。")
    size = int.from_bytes(data[len(MAGIC) : len(MAGIC) + 4], "big")
    start = len(MAGIC) + 4
    if len(data) < start + size:
        raise ExchangeFileError(f"{name} は途中で切れています（ファイルが不完全です）。")
    header_bytes = data[start : start + size]
    try:
        raw = json.loads(header_bytes.decode("utf-8"))
        header = Header(
            device_id=str(raw["device_id"]),
            device_name=str(raw["device_name"]),
            schema=str(raw["schema"]),
            created_at=str(raw["created_at"]),
            raw=raw,
        )
        fmt = int(raw["format"])
        length = int(raw["length"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise ExchangeFileError(
            f"{name} の見出し部分が壊れています。もう一度書き出してください。"
        ) from exc
    if fmt > FORMAT:
        raise ExchangeFileError(
            f"{name} は新しい版の shienapp で書き出されています（形式 {fmt}）。"
            "アプリを更新してから取り込んでください。"
        )
    prefix = data[: start + size]
    body = data[start + size :]
    if len(body) < length:
        raise ExchangeFileError(
            f"{name} は途中で切れています（{len(body):,} / {length:,} バイト）。"
            "書き出し元でもう一度書き出してください。"
        )
    if len(body) > length:
        raise ExchangeFileError(f"{name} の末尾に余分なデータがあります（壊れています）。")
    return header, prefix, body


def decode(data: bytes, passphrase: str, name: str = "ファイル") -> Exchange:
    """Decrypt and check a file; any fault raises ``ExchangeFileError`` with a Japanese message."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    header, prefix, body = read_header(data, name)
    try:
        kdf = header.raw["kdf"]
        if kdf.get("name") != "scrypt":
            raise ValueError(kdf.get("name"))
        salt = _unb64(kdf["salt"])
        nonce = _unb64(header.raw["nonce"])
        params = {"n": int(kdf["n"]), "r": int(kdf["r"]), "p": int(kdf["p"])}
        n, r, p = params["n"], params["r"], params["p"]
        if not (2 <= n <= 2**20 and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16):
            raise ValueError("kdf parameters out of range")
        if len(nonce) != 12 or len(salt) < 8:
            raise ValueError("nonce or salt of the wrong size")
        key = _derive(passphrase, salt, params)
    except (ValueError, KeyError, TypeError, AttributeError, MemoryError) as exc:
        raise ExchangeFileError(
            f"{name} の見出し部分が壊れています。データは変更していません。"
        ) from exc
    if not hmac.compare_digest(_key_check(key), str(header.raw.get("key_check", ""))):
        raise ExchangeFileError(
            "パスフレーズが違います。書き出したときのパスフレーズを入力してください。"
            "データは変更していません。"
        )
    try:
        plain = AESGCM(key).decrypt(nonce, body, prefix)
    except InvalidTag as exc:
        raise ExchangeFileError(
            f"{name} は壊れているか、書き出した後に書き換えられています。"
            "データは変更していません。書き出し元でもう一度書き出してください。"
        ) from exc
    try:
        manifest_json, _, tables_json = zlib.decompress(plain).partition(b"\n")
        manifest = json.loads(manifest_json)
        if manifest.get("checksum") != records_digest(tables_json):
            raise ValueError("checksum")
        tables = json.loads(tables_json)
    except (ValueError, zlib.error) as exc:
        raise ExchangeFileError(f"{name} の中身が壊れています（検査値が合いません）。") from exc
    return Exchange(header=header, manifest=manifest, tables=tables)


def write_verified(path: Path, data: bytes, passphrase: str) -> None:
    """Write to a temporary name, flush to disk, rename, then read back and decrypt it."""
    path = Path(path)
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    _fsync_directory(path.parent)
    back = path.read_bytes()
    if back != data:
        raise UserError(
            f"{path} を読み返したところ内容が一致しませんでした。別の場所に書き出してください。"
        )
    decode(back, passphrase, path.name)


def _fsync_directory(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
