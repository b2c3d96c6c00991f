"""Staff accounts: the first 管理者, signing in and out, the idle lock, managing accounts.

Passwords are kept only as Argon2id hashes (argon2-cffi's defaults). Repeated failures for one
account make it wait, doubling from 30 seconds after the fifth to at most 15 minutes; every
sign-in and every failure is in the audit trail.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shienapp.core import audit
from shienapp.core.access import IDLE_KEY, MODE_KEY, Access, Actor, Mode, access_of, os_actor
from shienapp.core.errors import NotFoundError, StaleEditError, UserError
from shienapp.core.permissions import ROLE_LABELS, Action, Role
from shienapp.storage.db import Database
from shienapp.storage.models import Account, Setting

MIN_PASSWORD = 8
FREE_TRIES = 5
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(minutes=15)
IDLE_CHOICES = (0, 5, 10, 15, 30, 60)  # minutes; 0 = never lock

_hasher = PasswordHasher()


@dataclass(frozen=True, slots=True)
class AccountRow:
    id: uuid.UUID
    version: int
    login: str
    display_name: str
    role: Role
    active: bool
    last_login_at: datetime | None
    waiting_until: datetime | None

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]


def _row(a: Account) -> AccountRow:
    return AccountRow(
        id=a.id,
        version=a.version,
        login=a.login,
        display_name=a.display_name,
        role=Role(a.role),
        active=a.active,
        last_login_at=a.last_login_at,
        waiting_until=a.locked_until,
    )


def password_problem(password: str, again: str | None = None) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"パスワードは{MIN_PASSWORD}文字以上にしてください（いま{len(password)}文字）。"
    if again is not None and password != again:
        return "確認のために入力したパスワードが一致しません。"
    return None


def _login_problem(login: str, name: str) -> str | None:
    if not login.strip():
        return "ユーザー名を入力してください。"
    if len(login) > 50 or any(c.isspace() for c in login):
        return "ユーザー名は空白を含まない50文字以内にしてください。"
    if not name.strip():
        return "表示名（氏名）を入力してください。"
    return None


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def _new_account(
    s: Session, login: str, name: str, role: Role, password: str, again: str
) -> Account:
    """A checked account, added and flushed (so it has its id); nothing if refused."""
    problem = _login_problem(login, name) or password_problem(password, again)
    if problem:
        raise UserError(problem)
    if s.scalar(select(Account).where(Account.login == login.strip())) is not None:
        raise UserError(f"ユーザー名「{login}」はすでに使われています。")
    account = Account(
        login=login.strip(),
        display_name=name.strip(),
        role=role.value,
        password_hash=_hasher.hash(password),
        active=True,
        failed_logins=0,
    )
    s.add(account)
    s.flush()
    return account


def _wait_after(failures: int) -> timedelta:
    if failures < FREE_TRIES:
        return timedelta(0)
    return min(FIRST_WAIT * 2 ** (failures - FREE_TRIES), LONGEST_WAIT)


class AccountService:
    def __init__(self, db: Database) -> None:
        self.db = db

    @property
    def access(self) -> Access:
        return access_of(self.db)

    # --- settings ---------------------------------------------------------------------------

    def _put(self, s: Session, key: str, value: str) -> None:
        setting = s.get(Setting, key)
        if setting is None:
            s.add(Setting(key=key, value=value))
        else:
            setting.value = value

    def _event(self, s: Session, event: audit.Event, actor: Actor | None = None) -> None:
        audit.append(s.connection(), actor or self.access.actor_or_system(), [event])

    def choose_no_accounts(self) -> None:
        """The city decided: no accounts. Whoever sits at the PC may do everything."""
        if self.access.mode == Mode.ON:
            self.access.require(Action.SETTINGS)
        with self.db.write() as s:
            s.info["system"] = True
            self._put(s, MODE_KEY, Mode.OFF)
            self._event(s, audit.Event("設定", "app_settings", "", "アカウントを使わない"))
        self.access.mode = Mode.OFF
        if self.access.actor is None or self.access.actor.role is not None:
            self.access.actor = os_actor()
        self.access.locked = False

    def create_first_admin(self, login: str, name: str, password: str, again: str) -> AccountRow:
        """The first-run wizard: the first 管理者, signed in at once. Also switches accounts
        back on for a city that had them off (the 管理者 who does it becomes the first)."""
        if self.access.mode == Mode.ON:
            raise UserError(
                "アカウントはすでに使われています。管理者が「アカウント」から追加します。"
            )
        with self.db.write() as s:
            s.info["system"] = True
            account = _new_account(s, login, name, Role.ADMIN, password, again)
            account.last_login_at = datetime.now(UTC)
            actor = Actor(account.id, account.login, account.display_name, Role.ADMIN)
            self._put(s, MODE_KEY, Mode.ON)
            self._event(
                s,
                audit.Event(
                    "アカウント",
                    "accounts",
                    str(account.id),
                    account.display_name,
                    {"作成": "最初の管理者"},
                ),
                actor,
            )
            self._event(s, audit.Event("設定", "app_settings", "", "アカウントを使う"), actor)
            row = _row(account)
        self.access.mode = Mode.ON
        self.access.actor = actor
        self.access.locked = False
        return row

    def set_idle_minutes(self, minutes: int) -> None:
        self.access.require(Action.SETTINGS)
        if minutes not in IDLE_CHOICES:
            raise UserError(
                f"自動ロックの時間は {IDLE_CHOICES} 分のどれかです（指定: {minutes}）。"
            )
        with self.db.write() as s:
            s.info["system"] = True
            old = self.access.idle_minutes
            self._put(s, IDLE_KEY, str(minutes))
            self._event(
                s,
                audit.Event(
                    "設定",
                    "app_settings",
                    "",
                    "自動ロック",
                    {"idle_lock_minutes": [str(old), str(minutes)]},
                ),
            )
        self.access.idle_minutes = minutes

    # --- signing in -------------------------------------------------------------------------

    def sign_in(self, login: str, password: str, *, now: datetime | None = None) -> Actor:
        """Check the password; on success the account is the one at the keyboard."""
        now = now or datetime.now(UTC)
        refused = "ユーザー名またはパスワードが違います。"
        with self.db.write() as s:
            s.info["system"] = True
            account = s.scalar(select(Account).where(Account.login == login.strip()))
            if account is None or not account.active:
                self._event(
                    s,
                    audit.Event(
                        "ログイン失敗",
                        "accounts",
                        "",
                        login[:50],
                        {"理由": "ユーザー名がない・無効"},
                    ),
                )
                failure: UserError | None = UserError(refused)
            else:
                failure = self._check(s, account, password, now)
            if failure is None:
                actor = Actor(account.id, account.login, account.display_name, Role(account.role))
                self._event(
                    s,
                    audit.Event("ログイン", "accounts", str(account.id), account.display_name),
                    actor,
                )
        if failure is not None:
            raise failure  # after the commit: the failure and its count are kept
        self.access.actor = actor
        self.access.locked = False
        return actor

    def _check(
        self, s: Session, account: Account, password: str, now: datetime
    ) -> UserError | None:
        waiting = _aware(account.locked_until)
        if waiting is not None and waiting > now:
            seconds = math.ceil((waiting - now).total_seconds())
            self._event(
                s,
                audit.Event(
                    "ログイン失敗",
                    "accounts",
                    str(account.id),
                    account.display_name,
                    {"理由": "待ち時間中"},
                ),
            )
            return UserError(
                f"パスワードの誤りが続いたため、あと{seconds}秒はサインインできません。"
            )
        try:
            _hasher.verify(account.password_hash, password)
        except (VerificationError, InvalidHashError):
            account.failed_logins += 1
            wait = _wait_after(account.failed_logins)
            account.locked_until = now + wait if wait else None
            self._event(
                s,
                audit.Event(
                    "ログイン失敗",
                    "accounts",
                    str(account.id),
                    account.display_name,
                    {"理由": "パスワード違い", "回数": account.failed_logins},
                ),
            )
            message = "ユーザー名またはパスワードが違います。"
            if wait:
                message += f"誤りが続いたため、{int(wait.total_seconds())}秒待ってください。"
            return UserError(message)
        if _hasher.check_needs_rehash(account.password_hash):
            account.password_hash = _hasher.hash(password)
        account.failed_logins = 0
        account.locked_until = None
        account.last_login_at = now
        return None

    def lock(self) -> None:
        if self.access.protected and self.access.actor is not None:
            self.access.locked = True

    def unlock(self, password: str) -> None:
        """Only the account that locked the window can open it again."""
        actor = self.access.actor
        if actor is None:
            raise UserError("サインインしていません。")
        self.sign_in(actor.login, password)
        with self.db.write() as s:
            s.info["system"] = True
            self._event(s, audit.Event("ロック解除", "accounts", str(actor.account_id), actor.name))

    def sign_out(self) -> None:
        actor = self.access.actor
        if self.access.protected and actor is not None:
            with self.db.write() as s:
                s.info["system"] = True
                self._event(
                    s, audit.Event("ログアウト", "accounts", str(actor.account_id), actor.name)
                )
            self.access.actor = None
            self.access.locked = False

    # --- managing accounts (管理者) -----------------------------------------------------------

    def list(self) -> list[AccountRow]:
        self.access.require(Action.MANAGE_ACCOUNTS)
        with self.db.read() as s:
            return [_row(a) for a in s.scalars(select(Account).order_by(Account.login))]

    def exist(self) -> bool:
        with self.db.read() as s:
            s.info["system"] = True
            return bool(s.scalar(select(func.count()).select_from(Account)))

    def create(self, login: str, name: str, role: Role, password: str, again: str) -> AccountRow:
        self.access.require(Action.MANAGE_ACCOUNTS)
        role = Role(role)
        with self.db.write() as s:
            s.info["system"] = True
            account = _new_account(s, login, name, role, password, again)
            self._event(
                s,
                audit.Event(
                    "アカウント",
                    "accounts",
                    str(account.id),
                    account.display_name,
                    {"作成": role.label},
                ),
            )
            return _row(account)

    def update(
        self, account_id: uuid.UUID, version: int, *, name: str, role: Role, active: bool
    ) -> AccountRow:
        self.access.require(Action.MANAGE_ACCOUNTS)
        role = Role(role)
        problem = _login_problem("x", name)
        if problem:
            raise UserError(problem)
        with self.db.write() as s:
            s.info["system"] = True
            account = self._get(s, account_id, version)
            if account.role == Role.ADMIN.value and (role != Role.ADMIN or not active):
                self._keep_an_admin(s, account)
            changes: dict[str, list[str]] = {}
            if account.display_name != name.strip():
                changes["表示名"] = [account.display_name, name.strip()]
            if account.role != role.value:
                changes["権限"] = [ROLE_LABELS[Role(account.role)], role.label]
            if account.active != active:
                changes["有効"] = [
                    "はい" if account.active else "いいえ",
                    "はい" if active else "いいえ",
                ]
            account.display_name = name.strip()
            account.role = role.value
            account.active = active
            if changes:
                self._event(
                    s,
                    audit.Event(
                        "アカウント", "accounts", str(account.id), account.display_name, changes
                    ),
                )
            s.flush()
            return _row(account)

    def set_password(self, account_id: uuid.UUID, password: str, again: str) -> None:
        """A 管理者 for anyone; anyone for themselves."""
        actor = self.access.actor
        if actor is None or actor.account_id != account_id:
            self.access.require(Action.MANAGE_ACCOUNTS)
        problem = password_problem(password, again)
        if problem:
            raise UserError(problem)
        with self.db.write() as s:
            s.info["system"] = True
            account = s.get(Account, account_id)
            if account is None:
                raise NotFoundError("そのアカウントは見つかりません。")
            account.password_hash = _hasher.hash(password)
            account.failed_logins = 0
            account.locked_until = None
            self._event(
                s,
                audit.Event(
                    "アカウント",
                    "accounts",
                    str(account.id),
                    account.display_name,
                    {"パスワード": "変更"},
                ),
            )

    def _get(self, s: Session, account_id: uuid.UUID, version: int) -> Account:
        account = s.get(Account, account_id)
        if account is None:
            raise NotFoundError("そのアカウントは見つかりません。")
        if account.version != version:
            raise StaleEditError(
                f"アカウント「{account.display_name}」は別の画面で変更されています。"
                "開き直してから変更してください。"
            )
        return account

    def _keep_an_admin(self, s: Session, account: Account) -> None:
        others = s.scalar(
            select(func.count())
            .select_from(Account)
            .where(Account.role == Role.ADMIN.value, Account.active, Account.id != account.id)
        )
        if not others:
            raise UserError(
                "有効な管理者がほかにいないため、この管理者の権限を外したり無効にしたりできません。"
            )
