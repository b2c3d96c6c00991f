"""Copies of a live SQLite database through SQLite's online backup API (never a file copy).

An encrypted database is copied between two connections keyed with the same passphrase, so its
backups are encrypted too: a plain copy of a laptop's encrypted file would defeat the purpose.
(SQLCipher refuses to copy an encrypted database into an unkeyed one.)
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any


class BackupError(Exception):
    pass


def _open(path: Path, key: str | None, *, readonly: bool = False, timeout: float = 5) -> Any:
    if key is None:
        if readonly:
            return sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
        return sqlite3.connect(path, timeout=timeout)
    from shienapp.storage import cipher

    if readonly:
        return cipher.connect(path, key, readonly=True)
    # A new (empty) file: keyed before its first page is written, so every page is encrypted.
    connection = cipher.driver().connect(str(path), timeout=timeout)
    connection.execute(cipher.key_pragma(key))
    return connection


def backup_sqlite(source: Path, destination: Path, *, key: str | None = None) -> Path:
    """Copy ``source`` to ``destination`` consistently, even while another process writes, and
    verify the copy opens and passes ``quick_check``. ``key`` opens an encrypted ``source`` and
    encrypts the copy with the same passphrase."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".part")
    partial.unlink(missing_ok=True)
    src = _open(source, key, readonly=True)
    try:
        dst = _open(partial, key)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()
    check = _open(partial, key, readonly=True)
    try:
        result = check.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        check.close()
    if result != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"バックアップの検証に失敗しました: {result}")
    partial.replace(destination)
    return destination


def restore_sqlite(backup: Path, destination: Path, *, key: str | None = None) -> None:
    """Write ``backup``'s content into ``destination`` through the online backup API (the
    destination is locked while it is written and stays a valid database throughout). With
    ``key`` both are encrypted with it."""
    src = _open(backup, key, readonly=True)
    try:
        if key is not None and destination.exists() and destination.stat().st_size:
            from shienapp.storage import cipher

            dst = cipher.connect(destination, key, timeout=15)
        else:
            dst = _open(destination, key, timeout=15)
        try:
            src.backup(dst)
            result = dst.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            dst.close()
    finally:
        src.close()
    if result != "ok":
        raise BackupError(f"復元したデータベースの検査に失敗しました: {result}")


def timestamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S-%f")
