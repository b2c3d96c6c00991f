"""Who is working on this database, and the guard that holds every service to their role.

``Access`` lives on the open database (``db.info``). Its guard listens to every session the
database hands out: a write by someone who may not edit is refused whichever service opened it,
and nothing is read while the window is locked or nobody has signed in. Services ask
``require`` for what is more than editing (emptying the trash, restoring a backup…); the roles
themselves are decided in core/permissions.py alone.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import ORMExecuteState, Session

from shienapp.core.errors import UserError
from shienapp.core.permissions import Action, Role, least_role, may
from shienapp.storage.db import Database
from shienapp.storage.models import Setting

MODE_KEY = "accounts"
IDLE_KEY = "idle_lock_minutes"
DEFAULT_IDLE_MINUTES = 10


class Mode:
    """Whether this database uses accounts: not yet decided, on, or switched off on purpose."""

    UNSET = ""
    ON = "on"
    OFF = "off"


class AccessDenied(UserError):
    """The signed-in account's role may not do this; nothing was changed."""


class NotSignedIn(UserError):
    """Accounts are on and nobody is signed in (or the window is locked)."""


@dataclass(frozen=True, slots=True)
class Actor:
    """The person at the keyboard: who the audit trail names and whose role counts."""

    account_id: uuid.UUID | None
    login: str
    name: str
    role: Role | None  # None: accounts are off, everyone may do everything

    @property
    def label(self) -> str:
        if self.role is None:
            return self.name
        return f"{self.name}（{self.role.label}）"


def os_actor() -> Actor:
    """Accounts off: the trail names the operating system's user, the best we know."""
    import getpass

    try:
        name = getpass.getuser()
    except (OSError, KeyError):
        name = "不明"
    return Actor(None, "", name, None)


class Access:
    """Who is signed in to one open database, and whether the window is locked."""

    def __init__(self, mode: str, idle_minutes: int) -> None:
        self.mode = mode
        self.idle_minutes = idle_minutes
        self.actor: Actor | None = None if mode == Mode.ON else os_actor()
        self.locked = False

    @property
    def protected(self) -> bool:
        return self.mode == Mode.ON

    @property
    def role(self) -> Role | None:
        return self.actor.role if self.actor is not None else None

    @property
    def signed_in(self) -> bool:
        return not self.protected or (self.actor is not None and not self.locked)

    def actor_or_system(self) -> Actor:
        """Whom the audit trail names: the account, or, before anyone signs in, the app."""
        return self.actor if self.actor is not None else Actor(None, "", "（サインイン前）", None)

    def may(self, action: Action) -> bool:
        if not self.protected:
            return True
        return self.signed_in and may(self.role, action)

    def require(self, action: Action) -> None:
        """Refuse, in Japanese, what the present account may not do."""
        if not self.protected:
            return
        if self.actor is None:
            raise NotSignedIn("サインインしていません。ユーザー名とパスワードを入力してください。")
        if self.locked:
            raise NotSignedIn("画面がロックされています。パスワードを入力して解除してください。")
        if not may(self.role, action):
            needed = least_role(action).label
            raise AccessDenied(
                f"「{action.value}」は{needed}の権限が必要です"
                f"（いまの利用者: {self.actor.label}）。何も変更していません。"
            )

    # --- the guard on every session -----------------------------------------------------------

    def _on_execute(self, state: ORMExecuteState) -> None:
        if state.session.info.get("system"):
            return
        if state.is_select:
            self.require(Action.READ)
        elif state.is_insert or state.is_update or state.is_delete:
            self.require(Action.EDIT)

    def _before_flush(self, session: Session, _context: Any, _instances: Any) -> None:
        if session.info.get("system"):
            return
        if session.new or session.deleted or any(session.is_modified(o) for o in session.dirty):
            self.require(Action.EDIT)


def read_settings(db: Database) -> dict[str, str]:
    with db.read() as s:
        s.info["system"] = True
        return {row.key: row.value for row in s.scalars(select(Setting))}


def install(db: Database) -> Access:
    """Read this database's account mode and put its guard on every session."""
    settings = read_settings(db)
    try:
        idle = int(settings.get(IDLE_KEY, DEFAULT_IDLE_MINUTES))
    except ValueError:
        idle = DEFAULT_IDLE_MINUTES
    access = Access(settings.get(MODE_KEY, Mode.UNSET), idle)
    db.info["access"] = access
    db.listen("do_orm_execute", access._on_execute)
    db.listen("before_flush", access._before_flush)
    return access


_OPEN = Access(Mode.OFF, DEFAULT_IDLE_MINUTES)


def access_of(db: Database) -> Access:
    """The database's access; a database opened without one (a test, a script) is open."""
    access = db.info.get("access")
    return access if isinstance(access, Access) else _OPEN
