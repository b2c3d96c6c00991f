"""Backups: taken at start, before and after every merge or import, and on demand; kept in
rotation (after Anki: everything from the last two days, then 12 daily, 10 weekly and 9 monthly);
restored only after the present state is itself backed up.

Every copy goes through SQLite's online backup API (never a file copy of a live database) and
is opened and checked before it counts. Each backup has a small JSON beside it saying why it was
taken and what it holds, so the restore list can show it without opening every file.

The backups of an encrypted database are encrypted with its passphrase (the one typed when it
was opened, see ``storage/cipher.py``); a restore keeps the database as it is now, encrypted or
plain, whichever the backup was.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from shienapp import __version__
from shienapp.core.errors import UserError
from shienapp.core.permissions import Action
from shienapp.storage import cipher, integrity, schema
from shienapp.storage.backup import BackupError, backup_sqlite, restore_sqlite
from shienapp.storage.errors import DatabaseError

REASONS = {
    "start": "起動時",
    "manual": "手動",
    "pre-sync": "取り込み前",
    "post-sync": "取り込み後",
    "post-import": "取り込み後",
    "pre-restore": "復元の直前",
    "scheduled": "定期",
    "pre-encrypt": "暗号化の直前",
    "pre-decrypt": "暗号化の解除の直前",
}
RECENT = timedelta(days=2)
DAILY, WEEKLY, MONTHLY = 12, 10, 9
# What the restore list shows of each backup: (label, table) counted among live records.
_COUNTED = (
    ("地区", "districts"),
    ("協議体", "councils"),
    ("会議", "meetings"),
    ("人", "people"),
    ("活動・社会資源", "resources"),
    ("形成図", "network_maps"),
)
_NAME = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}-\d{6}-\d{6})-(?P<reason>[a-z-]+)\.sqlite3$")


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: datetime
    reason: str
    schema: str
    counts: dict[str, int]

    @property
    def reason_label(self) -> str:
        return REASONS.get(self.reason, self.reason)

    @property
    def size(self) -> int:
        return self.path.stat().st_size if self.path.exists() else 0

    def describe(self) -> str:
        held = "、".join(f"{k} {v:,}" for k, v in self.counts.items()) or "（内容不明）"
        return f"{self.taken_at:%Y-%m-%d %H:%M}（{self.reason_label}）{held}"


def to_keep(stamps: Iterable[datetime], now: datetime) -> set[datetime]:
    """Which backups rotation keeps: all from the last two days; of older ones, newest first,
    one per day for 12 days, then one per ISO week for 10 weeks, then one per month for 9."""
    keep: set[datetime] = set()
    slots = {"day": DAILY, "week": WEEKLY, "month": MONTHLY}
    last: dict[str, object] = {"day": None, "week": None, "month": None}
    for stamp in sorted(set(stamps), reverse=True):
        period = {
            "day": stamp.date(),
            "week": tuple(stamp.isocalendar())[:2],
            "month": (stamp.year, stamp.month),
        }
        if now - stamp <= RECENT:
            chosen: str | None = "recent"
        else:
            # The tiers follow one another: weeks once the days are used up, then months.
            tier = next((k for k in ("day", "week", "month") if slots[k]), None)
            chosen = tier if tier is not None and period[tier] != last[tier] else None
            if chosen is not None:
                slots[chosen] -= 1
        if chosen is None:
            continue
        keep.add(stamp)
        last.update(period)
    return keep


def counts_of(path: Path, key: str | None = None) -> dict[str, int]:
    """Live records by kind, read from a backup file (read-only; ``key`` if encrypted)."""
    connection = cipher.connect_readonly(path, key)
    try:
        tables = {
            r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        return {
            label: connection.execute(
                f'SELECT count(*) FROM "{table}" WHERE deleted_at IS NULL'
            ).fetchone()[0]
            for label, table in _COUNTED
            if table in tables
        }
    finally:
        connection.close()


def revision_of(path: Path, key: str | None = None) -> str:
    try:
        connection = cipher.connect_readonly(path, key)
    except (DatabaseError, *cipher.errors()):
        return ""
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else ""
    except cipher.errors():
        return ""
    finally:
        connection.close()


class BackupService:
    """Backups of one SQLite database file into one folder.

    ``key`` is the passphrase of an encrypted database; by default the one it was opened with
    in this process. It is used only for files that are encrypted."""

    def __init__(
        self,
        database: Path,
        folder: Path,
        *,
        key: str | None = None,
        guard: Callable[[Action], None] | None = None,
    ) -> None:
        self.database = Path(database)
        self.folder = Path(folder)
        self._key = key
        # Access.require of whoever is signed in; None where nobody can be (a damaged file,
        # whose accounts cannot be read, or a scheduled `shienapp backup`).
        self._guard = guard or (lambda _action: None)

    @property
    def key(self) -> str | None:
        return self._key if self._key is not None else cipher.key_for(self.database)

    def key_of(self, path: Path) -> str | None:
        """The key that opens ``path`` (None for a plain file); a UserError if it is encrypted
        and no passphrase is known."""
        if not cipher.looks_encrypted(path):
            return None
        key = self.key
        if key is None:
            raise UserError(
                f"{path.name} は暗号化されています。パスフレーズを入力してデータベースを開いてから"
                "やり直してください（コマンドでは環境変数 SHIENAPP_DB_KEY）。"
            )
        return key

    def create(self, reason: str = "manual", *, now: datetime | None = None) -> BackupInfo:
        if reason not in REASONS:
            raise ValueError(reason)
        if reason == "manual":
            self._guard(Action.BACKUP)
        if not self.database.exists():
            raise UserError(f"バックアップするデータベースがありません: {self.database}")
        moment = now or datetime.now()
        target = self.folder / f"{self.database.stem}-{moment:%Y%m%d-%H%M%S-%f}-{reason}.sqlite3"
        key = self.key_of(self.database)
        try:
            backup_sqlite(self.database, target, key=key)
        except (BackupError, DatabaseError, sqlite3.Error, *cipher_errors(key), OSError) as exc:
            raise UserError(
                f"バックアップを作れませんでした（保存先: {self.folder}）: {exc}"
                "。保存先のフォルダ（USBメモリなど）がつながっているか確かめてください。"
            ) from exc
        info = BackupInfo(target, moment, reason, revision_of(target, key), counts_of(target, key))
        target.with_suffix(".json").write_text(
            json.dumps(
                {
                    "reason": reason,
                    "taken_at": moment.isoformat(),
                    "schema": info.schema,
                    "counts": info.counts,
                    "app_version": __version__,
                    "source": str(self.database),
                    "encrypted": key is not None,
                },
                ensure_ascii=False,
                indent=1,
            ),
            encoding="utf-8",
        )
        self.rotate(now=moment)
        return info

    def list(self) -> list[BackupInfo]:
        """This database's backups in the folder, newest first."""
        found = []
        if not self.folder.is_dir():
            return []
        for path in self.folder.glob(f"{glob_escape(self.database.stem)}-*.sqlite3"):
            match = _NAME.match(path.name)
            if match is None or match["stem"] != self.database.stem:
                continue
            taken = datetime.strptime(match["stamp"], "%Y%m%d-%H%M%S-%f")
            side = path.with_suffix(".json")
            counts: dict[str, int] = {}
            revision = ""
            if side.exists():
                try:
                    meta = json.loads(side.read_text(encoding="utf-8"))
                    counts, revision = dict(meta.get("counts", {})), str(meta.get("schema", ""))
                except (ValueError, OSError):
                    pass
            found.append(BackupInfo(path, taken, match["reason"], revision, counts))
        return sorted(found, key=lambda b: b.taken_at, reverse=True)

    def rotate(self, *, now: datetime | None = None) -> list[Path]:
        """Delete backups rotation no longer keeps; the pre-migration folder is never touched."""
        backups = self.list()
        keep = to_keep((b.taken_at for b in backups), now or datetime.now())
        removed = []
        for backup in backups:
            if backup.taken_at not in keep:
                backup.path.unlink(missing_ok=True)
                backup.path.with_suffix(".json").unlink(missing_ok=True)
                removed.append(backup.path)
        return removed

    def check_database(self) -> list[str]:
        """The full check of the database itself (integrity and foreign keys); empty if sound."""
        return integrity.check(self.database, full=True, key=self.key_of(self.database))

    def _check(self, path: Path, *, full: bool = False) -> list[str]:
        key = self.key if cipher.looks_encrypted(path) else None
        return integrity.check(path, full=full, key=key)

    def latest_sound(self) -> BackupInfo | None:
        """The newest backup that passes SQLite's check: the one to restore from."""
        for backup in self.list():
            if not self._check(backup.path):
                return backup
        return None

    def restore(self, backup: Path) -> BackupInfo | None:
        """Replace the database's content with ``backup``, after checking it and after backing
        up the present state (returned; None when the present file is too damaged to copy).

        Call with the database closed by this process (other copies of the app should be closed
        too): the content is written through the backup API, page by page, under a lock.
        """
        self._guard(Action.RESTORE)
        backup = Path(backup)
        if not backup.is_file():
            raise UserError(f"バックアップのファイルが見つかりません: {backup}")
        backup_key = self.key_of(backup)
        if backup_key is None and not integrity.is_sqlite_file(backup):
            raise UserError(f"{backup.name} は shienapp のバックアップ（SQLite）ではありません。")
        if backup_key is not None:
            try:
                cipher.check_key(backup, backup_key)
            except cipher.WrongKey as exc:
                raise UserError(
                    f"{backup.name} は別のパスフレーズで暗号化されているか、"
                    "shienapp のバックアップではありません。"
                ) from exc
        problems = integrity.check(backup, full=True, key=backup_key)
        if problems:
            raise UserError(
                f"{backup.name} 自体が壊れているため復元しません。"
                "別のバックアップを選んでください。",
                problems,
            )
        revision = revision_of(backup, backup_key)
        if revision not in schema.REVISIONS:
            raise UserError(
                f"{backup.name} は新しい版の shienapp のもの（スキーマ {revision or '不明'}）なので"
                "復元できません。アプリを更新してください。"
            )
        # The database stays as it is now: encrypted, or plain (a new one takes the backup's).
        exists = self.database.exists() and self.database.stat().st_size > 0
        target_key = self.key_of(self.database) if exists else backup_key
        before = None
        if exists and not integrity.check(self.database, key=target_key):
            before = self.create("pre-restore")
        elif self.database.exists():
            # Damaged: keep the damaged file aside as it is (never overwritten, never rotated).
            stamp = f"{datetime.now():%Y%m%d-%H%M%S}"
            aside = self.folder / "damaged" / f"{self.database.name}.{stamp}"
            aside.parent.mkdir(parents=True, exist_ok=True)
            aside.write_bytes(self.database.read_bytes())
            for extra in ("-wal", "-shm"):
                side = self.database.with_name(self.database.name + extra)
                if side.exists():
                    side.replace(aside.with_name(aside.name + extra))
            self.database.unlink()
        self._restore_from(backup, backup_key, target_key)
        return before

    def _restore_from(self, backup: Path, backup_key: str | None, key: str | None) -> None:
        """The backup API copies only between files keyed alike: a plain backup for an encrypted
        database (or the reverse) is first converted into a temporary file beside the backups."""
        if backup_key == key:
            restore_sqlite(backup, self.database, key=key)
            return
        temp = self.folder / f".restore-{datetime.now():%Y%m%d-%H%M%S-%f}.sqlite3"
        try:
            if key is not None:
                cipher.encrypt_file(backup, temp, key)
            else:
                assert backup_key is not None
                cipher.decrypt_file(backup, temp, backup_key)
            restore_sqlite(temp, self.database, key=key)
        except DatabaseError as exc:
            raise UserError(exc.message) from exc
        finally:
            temp.unlink(missing_ok=True)


def cipher_errors(key: str | None) -> tuple[type[Exception], ...]:
    """The encrypted driver's errors, without loading it for a plain database."""
    return cipher.errors() if key is not None else ()


def glob_escape(text: str) -> str:
    return re.sub(r"([\[\]*?])", r"[\1]", text)
