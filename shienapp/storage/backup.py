"""Copies of a live SQLite database through SQLite's online backup API (never a file copy)."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path


class BackupError(Exception):
    pass


def backup_sqlite(source: Path, destination: Path) -> Path:
    """Copy ``source`` to ``destination`` consistently, even while another process writes, and
    verify the copy opens and passes ``quick_check``."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".part")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()
    check = sqlite3.connect(partial.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        result = check.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        check.close()
    if result != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"バックアップの検証に失敗しました: {result}")
    partial.replace(destination)
    return destination


def restore_sqlite(backup: Path, destination: Path) -> None:
    """Write ``backup``'s content into ``destination`` through the online backup API (the
    destination is locked while it is written and stays a valid database throughout)."""
    src = sqlite3.connect(backup.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(destination, timeout=15)
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
