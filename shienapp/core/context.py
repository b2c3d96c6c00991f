"""The open database and the services over it: what the GUI and the CLI hold."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from shienapp import config
from shienapp.core import audit as audit_trail
from shienapp.core.access import Access
from shienapp.core.access import install as install_access
from shienapp.core.accounts import AccountService
from shienapp.core.backups import BackupService
from shienapp.core.councils import CouncilService
from shienapp.core.directory import DirectoryService
from shienapp.core.districts import DistrictService
from shienapp.core.errors import UserError
from shienapp.core.matching import MatchingService
from shienapp.core.meetings import MeetingService
from shienapp.core.network import NetworkService
from shienapp.core.plans import PlanService
from shienapp.core.sync import SyncService
from shienapp.core.trash import TrashService
from shienapp.storage.db import Database, DatabaseDamaged, DatabaseError, open_database


class DamagedDatabaseError(UserError):
    """The file failed SQLite's check; it was not touched. Says which backup to restore."""

    def __init__(self, message: str, details: list[str], path: Path, backup: Path | None) -> None:
        super().__init__(message, details)
        self.path = path
        self.backup = backup

    @classmethod
    def about(cls, damage: DatabaseDamaged) -> DamagedDatabaseError:
        from shienapp.core.backups import BackupService

        latest = BackupService(damage.path, config.backup_dir()).latest_sound()
        message = (
            f"データベース {damage.path} が壊れています。ファイルは変更せずにそのまま残しています。"
        )
        if latest is not None:
            message += (
                f"\n最新の正常なバックアップ: {latest.path}（{latest.describe()}）。"
                "\nここから復元してください"
                f'（画面の案内、または shienapp restore "{latest.path}"）。'
            )
        else:
            message += (
                "\nバックアップが見つかりません。ファイルを保存したまま管理者に相談してください。"
            )
        return cls(message, damage.problems, damage.path, None if latest is None else latest.path)


class EncryptedDatabaseError(UserError):
    """The file is encrypted and no passphrase, or a wrong one, was given; nothing was changed.
    ``wrong_key`` tells the two apart (the window asks again, saying the last one was wrong)."""

    def __init__(self, path: Path, *, wrong_key: bool) -> None:
        if wrong_key:
            message = f"パスフレーズが違います。データベース {path} は変更していません。"
        else:
            message = (
                f"データベース {path} は暗号化されています。開くにはパスフレーズが必要です"
                "（コマンドから使うときは環境変数 SHIENAPP_DB_KEY にも設定できます）。"
            )
        super().__init__(message)
        self.path = path
        self.wrong_key = wrong_key


log = logging.getLogger(__name__)


@dataclass
class AppContext:
    db: Database

    def __post_init__(self) -> None:
        # Who is working, held to their role on every session, and the trail of what they do.
        self.access: Access = install_access(self.db)
        audit_trail.install(self.db)

    @classmethod
    def open(
        cls,
        db: str | os.PathLike[str] | None = None,
        key: str | None = None,
        *,
        checked: bool = False,
    ) -> AppContext:
        """Open (and if need be create or upgrade) the database chosen by ``--db``, the
        environment or the default data folder. ``key`` is the passphrase of an encrypted file
        (by default the one it was opened with earlier in this process); given for a new file,
        it creates the file encrypted. ``checked``: the file was checked just before (see
        ``open_database``)."""
        from shienapp.storage.cipher import EncryptedError, WrongKey

        url = config.database_url(db)
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        try:
            database = open_database(url, backup_dir=config.backup_dir(), key=key, checked=checked)
        except EncryptedError as exc:
            raise EncryptedDatabaseError(exc.path, wrong_key=isinstance(exc, WrongKey)) from exc
        except DatabaseDamaged as exc:
            raise DamagedDatabaseError.about(exc) from exc
        except DatabaseError as exc:
            raise UserError(exc.message) from exc
        return cls(database)

    @property
    def location(self) -> str:
        path = self.db.path
        return str(path) if path is not None else self.db.url

    @cached_property
    def districts(self) -> DistrictService:
        return DistrictService(self.db)

    @cached_property
    def councils(self) -> CouncilService:
        return CouncilService(self.db)

    @cached_property
    def meetings(self) -> MeetingService:
        return MeetingService(self.db)

    @cached_property
    def directory(self) -> DirectoryService:
        return DirectoryService(self.db)

    @cached_property
    def matching(self) -> MatchingService:
        return MatchingService(self.db)

    @cached_property
    def network(self) -> NetworkService:
        return NetworkService(self.db)

    @cached_property
    def plans(self) -> PlanService:
        return PlanService(self.db)

    @cached_property
    def backups(self) -> BackupService | None:
        """Backups of this database (None for a server database, which its server backs up)."""
        path = self.db.path
        if path is None:
            return None
        return BackupService(path, config.backup_dir(), guard=self.access.require)

    def backup(self, reason: str) -> Path | None:
        """A backup now (after an import, before a restore…); None for a server database."""
        backups = self.backups
        return None if backups is None else backups.create(reason).path

    def after_import(self, what: str = "") -> str | None:
        """The trail's line and the backup after an import. The import itself has succeeded, so
        a backup that cannot be made (the USB stick is out) is logged and its message returned,
        not raised."""
        audit_trail.record(self.db, audit_trail.Event("取込", "", "", what))
        try:
            self.backup("post-import")
        except UserError as exc:
            log.warning("backup after import failed: %s", exc.message)
            return exc.message
        return None

    @cached_property
    def accounts(self) -> AccountService:
        return AccountService(self.db)

    @cached_property
    def audit(self) -> audit_trail.AuditService:
        return audit_trail.AuditService(self.db)

    @cached_property
    def trash(self) -> TrashService:
        return TrashService(self.db)

    @cached_property
    def sync(self) -> SyncService:
        return SyncService(self.db, backup=self.backup)

    def close(self) -> None:
        self.db.dispose()
