"""Is the database file sound? Checked through a read-only connection, so a damaged file is
never written to by the check itself.

``quick_check`` runs at every start (it reads every page but skips the index cross-checks);
the full ``integrity_check`` with ``foreign_key_check`` runs on demand and whenever a leftover
``-wal`` file says the last session may have ended without closing the database.
"""

from __future__ import annotations

from pathlib import Path

_LIMIT = 20


def wal_left_over(path: Path) -> bool:
    """A non-empty ``-wal`` beside the file: the last session crashed, or another copy of the
    app has the file open right now (either way a full check is worth its half second)."""
    wal = path.with_name(path.name + "-wal")
    return wal.exists() and wal.stat().st_size > 0


def check_before_opening(path: Path, *, key: str | None = None) -> list[str]:
    """The check made before the app opens ``path`` for writing: ``quick_check``, or the full
    check when a leftover ``-wal`` is there. Nothing to check for a missing or empty file, or
    one that is not SQLite (opening it refuses it with its own message). Uses only ``sqlite3``,
    so the window can run it on another thread while SQLAlchemy is still being imported."""
    if not path.exists() or path.stat().st_size == 0:
        return []
    if key is None and not is_sqlite_file(path):
        return []
    return check(path, full=wal_left_over(path), key=key)


def check(path: Path, *, full: bool = False, key: str | None = None) -> list[str]:
    """Problems found (empty when sound). ``full`` adds index and foreign-key checks (and, for
    an encrypted file, SQLCipher's check of every page's authentication code). ``key`` opens
    an encrypted file."""
    from shienapp.storage import cipher

    if key is None and cipher.looks_encrypted(path):
        return ["ファイルは暗号化されています（検査にはパスフレーズが必要です）"]
    try:
        connection = cipher.connect_readonly(path, key)
    except cipher.EncryptedError as exc:
        return [exc.message]
    except cipher.errors() as exc:
        return [f"ファイルを開けません: {exc}"]
    try:
        pragma = "integrity_check" if full else "quick_check"
        rows = connection.execute(f"PRAGMA {pragma}({_LIMIT})").fetchall()
        problems = [str(r[0]) for r in rows if r[0] != "ok"]
        if full and key is not None and not problems:
            problems += [
                f"暗号の検証に失敗したページ: {r[0]}"
                for r in connection.execute("PRAGMA cipher_integrity_check").fetchmany(_LIMIT)
            ]
        if full and not problems:
            for table, rowid, parent, _index in connection.execute(
                "PRAGMA foreign_key_check"
            ).fetchmany(_LIMIT):
                problems.append(
                    f"{table} の行 {rowid} が {parent} の存在しない記録を参照しています"
                )
        return problems
    except cipher.errors() as exc:
        return [f"読み取れないページがあります: {exc}"]
    finally:
        connection.close()


def is_sqlite_file(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(16) == b"SQLite format 3\x00"
