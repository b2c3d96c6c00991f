"""Why a database cannot be opened: the errors of the storage layer, each with a Japanese
message. Kept apart from ``db.py`` so that ``cipher.py`` (which ``db.py`` uses) can raise them."""

from __future__ import annotations

from pathlib import Path


class DatabaseError(Exception):
    """The database cannot be opened as asked; ``message`` is Japanese and says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DatabaseDamaged(DatabaseError):
    """SQLite's check found damage: the file is left exactly as it is, for a restore."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        super().__init__(f"データベースが壊れています: {path}")
        self.path = path
        self.problems = problems
