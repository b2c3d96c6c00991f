"""Encryption at rest: a database file encrypted with SQLCipher (through ``sqlcipher3``).

A laptop copy that leaves the building can be encrypted with a passphrase; without it the file
is noise (every page, the header included, is AES-256 encrypted and authenticated). The
passphrase is turned into the key by SQLCipher's own PBKDF2; it is never written anywhere.

- :func:`looks_encrypted`: a plain SQLite file starts with ``SQLite format 3\\0``, an encrypted
  one with 16 random bytes (its salt).
- :func:`connect`: a ``sqlcipher3`` connection with ``PRAGMA key`` first and a test read, so a
  wrong passphrase is :class:`WrongKey` at once, not a failure somewhere later.
- :func:`encrypt_file` / :func:`decrypt_file`: ``ATTACH … KEY …`` and ``sqlcipher_export``, the
  documented SQLCipher way, into a temporary file in the target's folder that is synced, opened
  with its key, checked (``quick_check`` and every table's row count) and only then renamed
  over the target. The source is never written before the new file is verified.
- The passphrases typed in this process, by file (:func:`remember`, :func:`key_for`): so that
  the backup service, a restore and a reopened window find the key of a file the user already
  unlocked, without every caller carrying it. Only keys that opened their file are remembered,
  and only in memory.

``sqlcipher3`` is imported on first use: a plain database never loads it.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
from pathlib import Path
from types import ModuleType
from typing import Any

from shienapp.storage.errors import DatabaseError

SQLITE_HEADER = b"SQLite format 3\x00"
# SQLCipher's pages are at least 512 bytes (4,096 by default), so an encrypted file is a whole
# number of them; a text file that happens to be named .sqlite3 almost never is.
_MIN_PAGE = 512
_SQLITE_NOTADB = 26
_BUSY_S = 15

_keys: dict[str, str] = {}
_driver: ModuleType | None = None


class EncryptedError(DatabaseError):
    """The file is encrypted and no passphrase, or a wrong one, was given; nothing was written."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.path = path


class KeyRequired(EncryptedError):
    def __init__(self, path: Path) -> None:
        super().__init__(
            f"データベース {path} は暗号化されています。開くにはパスフレーズが必要です。", path
        )


class WrongKey(EncryptedError):
    def __init__(self, path: Path) -> None:
        super().__init__(
            f"パスフレーズが違います（または {path} は shienapp のデータベースではありません）。"
            "ファイルは変更していません。",
            path,
        )


def driver() -> ModuleType:
    """``sqlcipher3.dbapi2``, with SQLCipher's own log to standard error switched off (a wrong
    passphrase would print "hmac check failed" lines; the app says it in Japanese instead)."""
    global _driver
    if _driver is None:
        try:
            import sqlcipher3.dbapi2 as module
        except ImportError as exc:  # pragma: no cover - a broken install
            raise DatabaseError(
                "暗号化されたデータベースを扱う部品（sqlcipher3）が見つかりません。"
                "アプリを入れ直してください。"
            ) from exc
        probe = module.connect(":memory:")
        try:
            probe.execute("PRAGMA cipher_log_level = NONE")
        finally:
            probe.close()
        _driver = module
    return _driver


def errors() -> tuple[type[Exception], ...]:
    """The exception base classes of both drivers (they are unrelated classes)."""
    return (sqlite3.Error, driver().Error)


def looks_encrypted(path: Path) -> bool:
    """True for an existing, non-empty file that is not plain SQLite but has the shape of an
    SQLCipher file (a whole number of pages)."""
    try:
        size = path.stat().st_size
        if size < _MIN_PAGE or size % _MIN_PAGE:
            return False
        with open(path, "rb") as handle:
            return handle.read(16) != SQLITE_HEADER
    except OSError:
        return False


def key_pragma(key: str) -> str:
    """``PRAGMA key = '…'`` with the passphrase as an SQL string literal (quotes doubled).
    PRAGMA takes no bound parameters, so this is the one place a secret is put into SQL."""
    if not isinstance(key, str) or not key or "\x00" in key:
        raise DatabaseError("パスフレーズが空か、使えない文字を含んでいます。")
    return "PRAGMA key = '" + key.replace("'", "''") + "'"


def apply_key(connection: Any, key: str, path: Path) -> None:
    """Key a fresh connection and prove the key with a read of the schema."""
    connection.execute(key_pragma(key))
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except driver().DatabaseError as exc:
        if getattr(exc, "sqlite_errorcode", _SQLITE_NOTADB) == _SQLITE_NOTADB:
            raise WrongKey(path) from exc
        raise


def connect(path: Path, key: str, *, readonly: bool = False, timeout: float = _BUSY_S) -> Any:
    """A keyed ``sqlcipher3`` connection to ``path``; :class:`WrongKey` if the key does not open
    it. ``readonly`` opens it so that nothing, not even a journal, is written."""
    module = driver()
    if readonly:
        connection = module.connect(
            Path(path).resolve().as_uri() + "?mode=ro", uri=True, timeout=timeout
        )
    else:
        connection = module.connect(str(path), timeout=timeout)
    try:
        apply_key(connection, key, Path(path))
    except BaseException:
        connection.close()
        raise
    return connection


def connect_readonly(path: Path, key: str | None = None) -> Any:
    """A read-only connection: ``sqlite3`` for a plain file, keyed ``sqlcipher3`` otherwise."""
    if key is None:
        return sqlite3.connect(
            Path(path).resolve().as_uri() + "?mode=ro", uri=True, timeout=_BUSY_S
        )
    return connect(path, key, readonly=True)


def check_key(path: Path, key: str) -> None:
    """Raise :class:`WrongKey` unless ``key`` opens ``path`` (read-only: nothing is written)."""
    connect(path, key, readonly=True).close()


# --- passphrases typed in this process ---------------------------------------------------------


def _slot(path: Path) -> str:
    return os.path.normcase(str(Path(path).resolve()))


def remember(path: Path, key: str) -> None:
    _keys[_slot(path)] = key


def forget(path: Path) -> None:
    _keys.pop(_slot(path), None)


def key_for(path: Path) -> str | None:
    return _keys.get(_slot(path))


def forget_all() -> None:
    _keys.clear()


# --- converting a file ------------------------------------------------------------------------


def encrypt_file(source: Path, target: Path, key: str) -> Path:
    """Write an encrypted copy of the plain database ``source`` to ``target`` (which may be
    ``source`` itself: it is then replaced only after the copy is verified)."""
    key_pragma(key)  # refuse an unusable passphrase before any file is made
    return _convert(Path(source), Path(target), source_key=None, target_key=key)


def decrypt_file(source: Path, target: Path, key: str) -> Path:
    """Write a plain copy of the encrypted database ``source`` to ``target`` (or in place)."""
    return _convert(Path(source), Path(target), source_key=key, target_key=None)


def _convert(source: Path, target: Path, *, source_key: str | None, target_key: str | None) -> Path:
    in_place = target.exists() and source.resolve() == target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    try:
        counts, stat = _export(source, temp, source_key, target_key, in_place=in_place)
        _fsync(temp)
        _verify(temp, target_key, counts)
        if in_place and _signature(source) != stat:
            raise DatabaseError(
                "変換している間に、ほかのプログラムがデータベースに書き込みました。"
                "shienapp をすべて閉じてからやり直してください。元のファイルはそのままです。"
            )
        os.replace(temp, target)
        _fsync_folder(target.parent)
    except DatabaseError:
        _remove(temp)
        raise
    except (*errors(), OSError) as exc:
        _remove(temp)
        raise DatabaseError(f"変換できませんでした（元のファイルはそのままです）: {exc}") from exc
    return target


def _export(
    source: Path,
    temp: Path,
    source_key: str | None,
    target_key: str | None,
    *,
    in_place: bool,
) -> tuple[dict[str, int], tuple[int, int]]:
    module = driver()
    connection = module.connect(str(source), timeout=_BUSY_S, isolation_level=None)
    try:
        if source_key is not None:
            apply_key(connection, source_key, source)
        if in_place:
            # The new file replaces this one, so nothing may be left in a -wal beside it: the
            # switch out of WAL checkpoints and removes it (the app turns WAL back on at open).
            mode = connection.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
            if str(mode).lower() != "delete":
                raise DatabaseError(
                    "データベースがほかのプログラムで開かれています。"
                    "shienapp をすべて閉じてからやり直してください。"
                )
        connection.execute("ATTACH DATABASE ? AS converted KEY ?", (str(temp), target_key or ""))
        # EXCLUSIVE: no one else reads or writes the source while it is copied.
        connection.execute("BEGIN EXCLUSIVE" if in_place else "BEGIN")
        try:
            connection.execute("SELECT sqlcipher_export('converted')")
            counts = _counts(connection, "main")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("DETACH DATABASE converted")
    finally:
        connection.close()
    return counts, _signature(source)


def _counts(connection: Any, schema: str) -> dict[str, int]:
    tables = [
        r[0]
        for r in connection.execute(
            f"SELECT name FROM {schema}.sqlite_master "
            "WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {
        t: connection.execute(f'SELECT count(*) FROM {schema}."{t}"').fetchone()[0] for t in tables
    }


def _verify(path: Path, key: str | None, counts: dict[str, int]) -> None:
    connection = connect_readonly(path, key)
    try:
        result = connection.execute("PRAGMA quick_check").fetchone()[0]
        found = _counts(connection, "main")
    finally:
        connection.close()
    if result != "ok" or found != counts:
        raise DatabaseError(
            f"変換したファイルの検証に失敗しました（元のファイルはそのままです）: {result}"
        )


def _signature(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


def _fsync(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX; Windows has no directory handles to sync)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    for extra in ("", "-journal", "-wal", "-shm"):
        Path(str(path) + extra).unlink(missing_ok=True)
