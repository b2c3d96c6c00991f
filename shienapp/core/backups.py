"""Backups: taken at start, before and after every merge or import, and on demand; kept in
rotation (after Anki: everything from the last two days, then 12 daily, 10 weekly and 9 monthly);
restored only after the present state is itself backed up.

Every copy goes through SQLite's online backup API (never a file copy of a live database) and
is opened and checked before it counts. Each backup has a small JSON beside it saying why it was
taken and what it holds, so the restore list can show it without opening every file.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from shienapp import __version__
from shienapp.core.errors import UserError
from shienapp.storage import integrity, schema
from shienapp.storage.backup import BackupError, backup_sqlite, restore_sqlite

REASONS = {
    "start": "起動時",
    "manual": "手動",
    "pre-sync": "取り込み前",
    "post-sync": "取り込み後",
    "post-import": "取り込み後",
    "pre-restore": "復元の直前",
    "scheduled": "定期",
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


def counts_of(path: Path) -> dict[str, int]:
    """Live records by kind, read from a backup file (read-only)."""
    connection = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
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


def revision_of(path: Path) -> str:
    connection = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else ""
    except sqlite3.Error:
        return ""
    finally:
        connection.close()


class BackupService:
    """Backups of one SQLite database file into one folder."""

    def __init__(self, database: Path, folder: Path) -> None:
        self.database = Path(database)
        self.folder = Path(folder)

    def create(self, reason: str = "manual", *, now: datetime | None = None) -> BackupInfo:
        if reason not in REASONS:
            raise ValueError(reason)
        if not self.database.exists():
            raise UserError(f"バックアップするデータベースがありません: {self.database}")
        moment = now or datetime.now()
        target = self.folder / f"{self.database.stem}-{moment:%Y%m%d-%H%M%S-%f}-{reason}.sqlite3"
        try:
            backup_sqlite(self.database, target)
        except (BackupError, sqlite3.Error, OSError) as exc:
            raise UserError(
                f"バックアップを作れませんでした（保存先: {self.folder}）: {exc}"
                "。保存先のフォルダ（USBメモリなど）がつながっているか確かめてください。"
            ) from exc
        info = BackupInfo(target, moment, reason, revision_of(target), counts_of(target))
        target.with_suffix(".json").write_text(
            json.dumps(
                {
                    "reason": reason,
                    "taken_at": moment.isoformat(),
                    "schema": info.schema,
                    "counts": info.counts,
                    "app_version": __version__,
                    "source": str(self.database),
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
        return integrity.check(self.database, full=True)

    def latest_sound(self) -> BackupInfo | None:
        """The newest backup that passes SQLite's check: the one to restore from."""
        for backup in self.list():
            if not integrity.check(backup.path):
                return backup
        return None

    def restore(self, backup: Path) -> BackupInfo | None:
        """Replace the database's content with ``backup``, after checking it and after backing
        up the present state (returned; None when the present file is too damaged to copy).

        Call with the database closed by this process (other copies of the app should be closed
        too): the content is written through the backup API, page by page, under a lock.
        """
        backup = Path(backup)
        if not backup.is_file():
            raise UserError(f"バックアップのファイルが見つかりません: {backup}")
        if not integrity.is_sqlite_file(backup):
            raise UserError(f"{backup.name} は shienapp のバックアップ（SQLite）ではありません。")
        problems = integrity.check(backup, full=True)
        if problems:
            raise UserError(
                f"{backup.name} 自体が壊れているため復元しません。"
                "別のバックアップを選んでください。",
                problems,
            )
        revision = revision_of(backup)
        if revision not in schema.REVISIONS:
            raise UserError(
                f"{backup.name} は新しい版の shienapp のもの（スキーマ {revision or '不明'}）なので"
                "復元できません。アプリを更新してください。"
            )
        before = None
        if self.database.exists() and not integrity.check(self.database):
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
        restore_sqlite(backup, self.database)
        return before


def glob_escape(text: str) -> str:
    return re.sub(r"([\[\]*?])", r"[\1]", text)
