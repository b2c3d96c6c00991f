"""The open database and the services over it: what the GUI and the CLI hold."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from shienapp import config
from shienapp.core.councils import CouncilService
from shienapp.core.directory import DirectoryService
from shienapp.core.districts import DistrictService
from shienapp.core.errors import UserError
from shienapp.core.matching import MatchingService
from shienapp.core.meetings import MeetingService
from shienapp.core.network import NetworkService
from shienapp.core.plans import PlanService
from shienapp.core.sync import SyncService
from shienapp.storage.db import Database, DatabaseError, open_database


@dataclass
class AppContext:
    db: Database

    @classmethod
    def open(cls, db: str | os.PathLike[str] | None = None) -> AppContext:
        """Open (and if need be create or upgrade) the database chosen by ``--db``, the
        environment or the default data folder."""
        url = config.database_url(db)
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        try:
            database = open_database(url, backup_dir=config.backup_dir())
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
    def sync(self) -> SyncService:
        return SyncService(self.db, backup_dir=config.backup_dir())

    def close(self) -> None:
        self.db.dispose()
