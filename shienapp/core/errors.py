"""The one error type a user can cause, with a Japanese message.

The GUI shows it as a dialog and the CLI as one line on standard error; anything else that
escapes is a bug and is reported as such.
"""

from __future__ import annotations

from dataclasses import dataclass


class UserError(Exception):
    """Something the user asked for cannot be done; ``message`` says what and where, in Japanese."""

    def __init__(self, message: str, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = list(details or [])

    def full_text(self, limit: int | None = None) -> str:
        lines = self.details if limit is None else self.details[:limit]
        text = "\n".join([self.message, *lines])
        if limit is not None and len(self.details) > limit:
            text += f"\n…ほか {len(self.details) - limit} 件"
        return text


class NotFoundError(UserError):
    """A record named by ID or name does not exist (or is in the trash)."""


class StaleEditError(UserError):
    """Someone else saved the record after this copy was read; nothing was overwritten."""


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One bad cell of an import: row (as the spreadsheet numbers it), column and reason."""

    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.row}行目" if self.row else "ファイル"
        if self.column:
            where += f"「{self.column}」列"
        return f"{where}: {self.reason}"


class ImportRejected(UserError):
    """An import with bad rows: nothing was written."""

    def __init__(self, source: str, problems: list[RowProblem]) -> None:
        super().__init__(
            f"{source} を取り込めませんでした（{len(problems)} 件の問題）。"
            "データは変更していません。",
            [str(p) for p in problems],
        )
        self.problems = problems
