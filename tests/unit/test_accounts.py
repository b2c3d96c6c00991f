"""Accounts (issue 8): the first 管理者, signing in with waits after repeated failures, the idle
lock, managing accounts with one 管理者 kept, the no-accounts choice, a database opened again."""

from __future__ import annotations

import getpass
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from shienapp.core.access import AccessDenied, Mode, NotSignedIn
from shienapp.core.accounts import IDLE_CHOICES
from shienapp.core.audit import AuditFilter
from shienapp.core.context import AppContext
from shienapp.core.errors import StaleEditError, UserError
from shienapp.core.permissions import Role

ADMIN_PASS = "Kanri-Pass-2026"
STAFF_PASS = "Shokuin-Pass-77"
REFUSED = "ユーザー名またはパスワードが違います。"
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def raw(path: Path, sql: str) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def bookkeeping(path: Path) -> tuple[object, ...]:
    """What a refused account call must leave alone."""
    return tuple(
        raw(path, f"SELECT * FROM {t} ORDER BY 1")
        for t in ("accounts", "app_settings", "audit_log")
    )


@pytest.fixture
def admin_ctx(ctx: AppContext) -> AppContext:
    """Accounts on: the first 管理者 (signed in) and a 職員."""
    ctx.accounts.create_first_admin("kanri", "管理 一郎", ADMIN_PASS, ADMIN_PASS)
    ctx.accounts.create("shokuin", "職員 二郎", Role.STAFF, STAFF_PASS, STAFF_PASS)
    return ctx


@pytest.fixture
def reopen(db_path: Path) -> Iterator[Callable[[], AppContext]]:
    opened: list[AppContext] = []

    def again() -> AppContext:
        context = AppContext.open(db_path)
        opened.append(context)
        return context

    yield again
    for context in opened:
        context.close()


def failures_in_trail(ctx: AppContext) -> list[dict[str, object]]:
    return [r.changes for r in ctx.audit.list(AuditFilter(action="ログイン失敗"))][::-1]


# ----------------------------------------------------------------------------- first run


def test_first_run_creates_the_first_admin_signed_in(ctx: AppContext, db_path: Path) -> None:
    assert ctx.access.mode == Mode.UNSET and not ctx.access.protected
    assert not ctx.accounts.exist()
    row = ctx.accounts.create_first_admin("kanri", "管理 一郎", ADMIN_PASS, ADMIN_PASS)
    assert (row.login, row.display_name, row.role, row.active) == (
        "kanri",
        "管理 一郎",
        Role.ADMIN,
        True,
    )
    assert row.role_label == "管理者"
    assert ctx.access.mode == Mode.ON and ctx.access.protected and ctx.access.signed_in
    assert ctx.access.actor is not None and ctx.access.actor.account_id == row.id
    assert ctx.access.actor.label == "管理 一郎（管理者）"
    assert ctx.accounts.exist()
    assert raw(db_path, "SELECT key, value FROM app_settings") == [("accounts", "on")]
    lines = [(r.action, r.label, r.changes) for r in reversed(ctx.audit.list())]
    assert lines == [
        ("アカウント", "管理 一郎", {"作成": "最初の管理者"}),
        ("設定", "アカウントを使う", {}),
    ]
    assert {r.actor for r in ctx.audit.list()} == {"管理 一郎（管理者）"}


def test_the_first_admin_is_made_once(admin_ctx: AppContext, db_path: Path) -> None:
    before = bookkeeping(db_path)
    with pytest.raises(UserError, match="アカウントはすでに使われています"):
        admin_ctx.accounts.create_first_admin("boss", "二人目", ADMIN_PASS, ADMIN_PASS)
    assert bookkeeping(db_path) == before


@pytest.mark.parametrize(
    ("login", "name", "password", "again", "message"),
    [
        (
            "kanri",
            "管理 一郎",
            "short",
            "short",
            "パスワードは8文字以上にしてください（いま5文字）。",
        ),
        (
            "kanri",
            "管理 一郎",
            ADMIN_PASS,
            ADMIN_PASS + "x",
            "確認のために入力したパスワードが一致しません。",
        ),
        ("", "管理 一郎", ADMIN_PASS, ADMIN_PASS, "ユーザー名を入力してください。"),
        (
            "kan ri",
            "管理 一郎",
            ADMIN_PASS,
            ADMIN_PASS,
            "ユーザー名は空白を含まない50文字以内にしてください。",
        ),
        ("kanri", "  ", ADMIN_PASS, ADMIN_PASS, "表示名（氏名）を入力してください。"),
    ],
)
def test_a_bad_first_admin_is_refused_and_nothing_written(
    ctx: AppContext,
    db_path: Path,
    login: str,
    name: str,
    password: str,
    again: str,
    message: str,
) -> None:
    before = bookkeeping(db_path)
    with pytest.raises(UserError) as raised:
        ctx.accounts.create_first_admin(login, name, password, again)
    assert raised.value.message == message
    assert bookkeeping(db_path) == before
    assert ctx.access.mode == Mode.UNSET and not ctx.accounts.exist()


# ----------------------------------------------------------------------------- signing in


def test_sign_in_with_the_right_password(admin_ctx: AppContext) -> None:
    admin_ctx.accounts.sign_out()
    actor = admin_ctx.accounts.sign_in("shokuin", STAFF_PASS, now=T0)
    assert (actor.login, actor.name, actor.role) == ("shokuin", "職員 二郎", Role.STAFF)
    assert admin_ctx.access.actor == actor and admin_ctx.access.signed_in
    assert admin_ctx.access.role == Role.STAFF


def test_a_wrong_password_and_an_unknown_login_read_the_same(admin_ctx: AppContext) -> None:
    admin_ctx.accounts.sign_out()
    with pytest.raises(UserError) as wrong:
        admin_ctx.accounts.sign_in("shokuin", "not-the-password", now=T0)
    with pytest.raises(UserError) as unknown:
        admin_ctx.accounts.sign_in("nobody", "not-the-password", now=T0)
    assert wrong.value.message == unknown.value.message == REFUSED
    assert admin_ctx.access.actor is None
    with pytest.raises(NotSignedIn):
        admin_ctx.districts.list_districts()


def test_an_inactive_account_cannot_sign_in(admin_ctx: AppContext) -> None:
    staff = next(a for a in admin_ctx.accounts.list() if a.login == "shokuin")
    admin_ctx.accounts.update(
        staff.id, staff.version, name=staff.display_name, role=staff.role, active=False
    )
    admin_ctx.accounts.sign_out()
    with pytest.raises(UserError) as raised:
        admin_ctx.accounts.sign_in("shokuin", STAFF_PASS)
    assert raised.value.message == REFUSED


def test_waits_double_after_five_failures(admin_ctx: AppContext) -> None:
    accounts = admin_ctx.accounts
    accounts.sign_out()
    for _ in range(4):
        with pytest.raises(UserError) as raised:
            accounts.sign_in("shokuin", "wrong-password", now=T0)
        assert raised.value.message == REFUSED  # no wait yet
    with pytest.raises(UserError) as fifth:
        accounts.sign_in("shokuin", "wrong-password", now=T0)
    assert fifth.value.message == REFUSED + "誤りが続いたため、30秒待ってください。"
    # The 6th try must wait 30 s, even with the right password.
    with pytest.raises(UserError, match="あと29秒はサインインできません") as waiting:
        accounts.sign_in("shokuin", STAFF_PASS, now=T0 + timedelta(seconds=1))
    assert "パスワードの誤りが続いたため" in waiting.value.message
    assert admin_ctx.access.actor is None
    with pytest.raises(UserError, match="あと1秒"):
        accounts.sign_in("shokuin", STAFF_PASS, now=T0 + timedelta(seconds=29, microseconds=1))
    # Each later failure doubles the wait, to 15 minutes at most.
    now, wait = T0, 30
    for doubled in (60, 120, 240, 480, 900, 900):
        now += timedelta(seconds=wait)
        with pytest.raises(UserError) as raised:
            accounts.sign_in("shokuin", "wrong-password", now=now)
        assert raised.value.message == REFUSED + f"誤りが続いたため、{doubled}秒待ってください。"
        wait = doubled
    # After the wait the right password works and the count starts again.
    with pytest.raises(UserError, match="あと899秒"):
        accounts.sign_in("shokuin", STAFF_PASS, now=now + timedelta(seconds=1))
    now += timedelta(seconds=900)
    assert accounts.sign_in("shokuin", STAFF_PASS, now=now).login == "shokuin"
    accounts.sign_out()
    for _ in range(4):
        with pytest.raises(UserError) as raised:
            accounts.sign_in("shokuin", "wrong-password", now=now)
        assert raised.value.message == REFUSED
    assert accounts.sign_in("shokuin", STAFF_PASS, now=now).login == "shokuin"


def test_the_wait_announced_is_never_longer_than_the_wait(admin_ctx: AppContext) -> None:
    admin_ctx.accounts.sign_out()
    for _ in range(5):
        with pytest.raises(UserError):
            admin_ctx.accounts.sign_in("shokuin", "wrong-password", now=T0)
    with pytest.raises(UserError) as raised:
        admin_ctx.accounts.sign_in("shokuin", STAFF_PASS, now=T0)
    assert "あと30秒" in raised.value.message


def test_the_trail_names_the_account_as_stored(ctx: AppContext) -> None:
    row = ctx.accounts.create_first_admin("kanri", " 管理 一郎 ", ADMIN_PASS, ADMIN_PASS)
    assert row.display_name == "管理 一郎"
    created = ctx.audit.list(AuditFilter(action="アカウント"))
    assert [r.label for r in created] == ["管理 一郎"]


def test_a_wait_for_one_account_does_not_hold_another(admin_ctx: AppContext) -> None:
    admin_ctx.accounts.sign_out()
    for _ in range(5):
        with pytest.raises(UserError):
            admin_ctx.accounts.sign_in("shokuin", "wrong-password", now=T0)
    assert admin_ctx.accounts.sign_in("kanri", ADMIN_PASS, now=T0).login == "kanri"
    (staff,) = [a for a in admin_ctx.accounts.list() if a.login == "shokuin"]
    assert staff.waiting_until is not None


def test_every_sign_in_and_failure_is_in_the_trail(admin_ctx: AppContext) -> None:
    accounts = admin_ctx.accounts
    accounts.sign_out()
    accounts.sign_in("shokuin", STAFF_PASS, now=T0)
    accounts.sign_out()
    with pytest.raises(UserError):
        accounts.sign_in("ghost", "whatever-1", now=T0)
    for _ in range(5):
        with pytest.raises(UserError):
            accounts.sign_in("shokuin", "wrong-password", now=T0)
    with pytest.raises(UserError):
        accounts.sign_in("shokuin", STAFF_PASS, now=T0)
    accounts.sign_in("kanri", ADMIN_PASS, now=T0)
    lines = [(r.action, r.actor, r.label) for r in reversed(admin_ctx.audit.list())]
    sign_ins = [line for line in lines if line[0] in ("ログイン", "ログアウト")]
    assert sign_ins == [
        ("ログアウト", "管理 一郎（管理者）", "管理 一郎"),
        ("ログイン", "職員 二郎（職員）", "職員 二郎"),
        ("ログアウト", "職員 二郎（職員）", "職員 二郎"),
        ("ログイン", "管理 一郎（管理者）", "管理 一郎"),
    ]
    assert failures_in_trail(admin_ctx) == [
        {"理由": "ユーザー名がない・無効"},
        *({"理由": "パスワード違い", "回数": n} for n in range(1, 6)),
        {"理由": "待ち時間中"},
    ]
    failed = admin_ctx.audit.list(AuditFilter(action="ログイン失敗"))
    assert {r.actor for r in failed} == {"（サインイン前）"}
    assert failed[-1].label == "ghost"
    assert admin_ctx.audit.verify() == []


# ----------------------------------------------------------------------------- passwords


def test_passwords_are_argon2id_hashes_and_never_stored(
    admin_ctx: AppContext, db_path: Path
) -> None:
    secret = "Tokumei-Himitsu-4821"
    staff = next(a for a in admin_ctx.accounts.list() if a.login == "shokuin")
    admin_ctx.accounts.set_password(staff.id, secret, secret)
    admin_ctx.accounts.sign_out()
    with pytest.raises(UserError):
        admin_ctx.accounts.sign_in("shokuin", secret + "-typo")
    admin_ctx.accounts.sign_in("shokuin", secret)
    hashes = [h for (h,) in raw(db_path, "SELECT password_hash FROM accounts")]
    assert len(hashes) == 2 and all(h.startswith("$argon2id$") for h in hashes)
    admin_ctx.close()  # everything written to the file itself
    files = [p for p in db_path.parent.iterdir() if p.name.startswith(db_path.name)]
    for path in files:
        data = path.read_bytes()
        for password in (secret, secret + "-typo", ADMIN_PASS, STAFF_PASS):
            assert password.encode() not in data, (path.name, password)
            assert password.encode("utf-16-le") not in data


def test_set_password_refuses_a_short_or_mismatched_one(
    admin_ctx: AppContext, db_path: Path
) -> None:
    me = admin_ctx.access.actor
    assert me is not None and me.account_id is not None
    before = bookkeeping(db_path)
    with pytest.raises(UserError, match="8文字以上"):
        admin_ctx.accounts.set_password(me.account_id, "short", "short")
    with pytest.raises(UserError, match="一致しません"):
        admin_ctx.accounts.set_password(me.account_id, "long-enough-1", "long-enough-2")
    assert bookkeeping(db_path) == before


# ----------------------------------------------------------------------------- lock, sign out


def test_lock_refuses_reads_until_unlocked_with_the_right_password(admin_ctx: AppContext) -> None:
    admin_ctx.districts.create_block("北部", "ほくぶ")
    admin_ctx.accounts.lock()
    assert admin_ctx.access.locked and not admin_ctx.access.signed_in
    with pytest.raises(NotSignedIn, match="画面がロックされています"):
        admin_ctx.districts.list_blocks()
    with pytest.raises(NotSignedIn):
        admin_ctx.districts.create_block("南部", "なんぶ")
    with pytest.raises(UserError, match=REFUSED):
        admin_ctx.accounts.unlock("wrong-password")
    assert admin_ctx.access.locked
    with pytest.raises(NotSignedIn):
        admin_ctx.districts.list_blocks()
    admin_ctx.accounts.unlock(ADMIN_PASS)
    assert not admin_ctx.access.locked
    assert [b.name for b in admin_ctx.districts.list_blocks()] == ["北部"]
    actions = [r.action for r in reversed(admin_ctx.audit.list())]
    assert actions[-3:] == ["ログイン失敗", "ログイン", "ロック解除"]


def test_sign_out_leaves_nobody_signed_in(admin_ctx: AppContext) -> None:
    admin_ctx.accounts.sign_out()
    assert admin_ctx.access.actor is None and not admin_ctx.access.signed_in
    with pytest.raises(NotSignedIn, match="サインインしていません"):
        admin_ctx.councils.list_councils()
    with pytest.raises(NotSignedIn):
        admin_ctx.accounts.list()
    admin_ctx.accounts.lock()  # nobody to lock: nothing happens
    assert not admin_ctx.access.locked
    with pytest.raises(UserError, match="サインインしていません"):
        admin_ctx.accounts.unlock(ADMIN_PASS)


# ----------------------------------------------------------------------------- managing accounts


def test_the_last_active_admin_stays_an_admin(admin_ctx: AppContext, db_path: Path) -> None:
    (me,) = [a for a in admin_ctx.accounts.list() if a.login == "kanri"]
    before = bookkeeping(db_path)
    for role, active in ((Role.STAFF, True), (Role.VIEWER, True), (Role.ADMIN, False)):
        with pytest.raises(UserError, match="有効な管理者がほかにいないため"):
            admin_ctx.accounts.update(
                me.id, me.version, name=me.display_name, role=role, active=active
            )
    assert bookkeeping(db_path) == before
    # With a second active 管理者, the first may step down.
    second = admin_ctx.accounts.create("kanri2", "管理 三郎", Role.ADMIN, ADMIN_PASS, ADMIN_PASS)
    stepped = admin_ctx.accounts.update(
        me.id, me.version, name=me.display_name, role=Role.STAFF, active=True
    )
    assert stepped.role == Role.STAFF and stepped.version == me.version + 1
    with pytest.raises(UserError, match="有効な管理者がほかにいないため"):
        admin_ctx.accounts.update(
            second.id, second.version, name=second.display_name, role=Role.ADMIN, active=False
        )


def test_a_stale_account_edit_is_refused(admin_ctx: AppContext) -> None:
    staff = next(a for a in admin_ctx.accounts.list() if a.login == "shokuin")
    admin_ctx.accounts.update(
        staff.id, staff.version, name="職員 次郎", role=Role.STAFF, active=True
    )
    with pytest.raises(StaleEditError, match="別の画面で変更されています"):
        admin_ctx.accounts.update(
            staff.id, staff.version, name="職員 二朗", role=Role.VIEWER, active=True
        )
    (now,) = [a for a in admin_ctx.accounts.list() if a.login == "shokuin"]
    assert (now.display_name, now.role) == ("職員 次郎", Role.STAFF)
    (line,) = [
        r for r in admin_ctx.audit.list(AuditFilter(action="アカウント")) if r.changes.get("表示名")
    ]
    assert line.changes == {"表示名": ["職員 二郎", "職員 次郎"]}


def test_create_refuses_a_login_already_taken(admin_ctx: AppContext, db_path: Path) -> None:
    before = bookkeeping(db_path)
    with pytest.raises(UserError, match="ユーザー名「shokuin」はすでに使われています"):
        admin_ctx.accounts.create("shokuin", "別人", Role.VIEWER, STAFF_PASS, STAFF_PASS)
    assert bookkeeping(db_path) == before


def test_staff_cannot_manage_accounts_but_can_change_their_own_password(
    admin_ctx: AppContext, db_path: Path
) -> None:
    (admin,) = [a for a in admin_ctx.accounts.list() if a.login == "kanri"]
    admin_ctx.accounts.sign_out()
    staff = admin_ctx.accounts.sign_in("shokuin", STAFF_PASS)
    before = bookkeeping(db_path)
    for call in (
        admin_ctx.accounts.list,
        lambda: admin_ctx.accounts.create("x", "X", Role.STAFF, STAFF_PASS, STAFF_PASS),
        lambda: admin_ctx.accounts.update(
            admin.id, admin.version, name="乗っ取り", role=Role.ADMIN, active=True
        ),
        lambda: admin_ctx.accounts.set_password(admin.id, "hijacked-1", "hijacked-1"),
        lambda: admin_ctx.accounts.set_idle_minutes(30),
        admin_ctx.accounts.choose_no_accounts,
    ):
        with pytest.raises(AccessDenied, match="管理者の権限が必要です"):
            call()
    assert bookkeeping(db_path) == before
    assert staff.account_id is not None
    admin_ctx.accounts.set_password(staff.account_id, "new-staff-pass", "new-staff-pass")
    admin_ctx.accounts.sign_out()
    with pytest.raises(UserError):
        admin_ctx.accounts.sign_in("shokuin", STAFF_PASS)
    admin_ctx.accounts.sign_in("shokuin", "new-staff-pass")


def test_idle_minutes_only_by_an_admin_and_only_listed_values(
    admin_ctx: AppContext, db_path: Path, reopen: Callable[[], AppContext]
) -> None:
    assert admin_ctx.access.idle_minutes == 10
    before = bookkeeping(db_path)
    for minutes in (7, -1, 61):
        with pytest.raises(UserError, match="自動ロックの時間は"):
            admin_ctx.accounts.set_idle_minutes(minutes)
    assert bookkeeping(db_path) == before
    for minutes in IDLE_CHOICES:
        admin_ctx.accounts.set_idle_minutes(minutes)
        assert admin_ctx.access.idle_minutes == minutes
    admin_ctx.accounts.set_idle_minutes(15)
    assert reopen().access.idle_minutes == 15
    (line, *_) = admin_ctx.audit.list(AuditFilter(action="設定"))
    assert line.changes == {"idle_lock_minutes": ["60", "15"]}


# ----------------------------------------------------------------------------- no accounts


def test_choosing_no_accounts_opens_everything_to_the_os_user(
    ctx: AppContext, db_path: Path, reopen: Callable[[], AppContext]
) -> None:
    ctx.accounts.choose_no_accounts()
    assert ctx.access.mode == Mode.OFF and not ctx.access.protected and ctx.access.signed_in
    assert ctx.access.role is None
    assert ctx.access.actor is not None and ctx.access.actor.name == getpass.getuser()
    ctx.districts.create_block("北部", "ほくぶ")
    ctx.trash.empty()
    assert ctx.audit.verify() == []
    assert {r.actor for r in ctx.audit.list()} == {getpass.getuser()}
    assert raw(db_path, "SELECT key, value FROM app_settings") == [("accounts", "off")]
    again = reopen()
    assert again.access.mode == Mode.OFF and again.access.actor is not None
    assert [b.name for b in again.districts.list_blocks()] == ["北部"]


def test_an_admin_may_switch_accounts_off(admin_ctx: AppContext) -> None:
    admin_ctx.accounts.choose_no_accounts()
    assert admin_ctx.access.mode == Mode.OFF and admin_ctx.access.role is None
    admin_ctx.accounts.sign_out()  # nothing to sign out of
    assert admin_ctx.districts.list_districts() == []
    # And on again: the 管理者 who does it becomes the first.
    admin_ctx.accounts.create_first_admin("kanri3", "管理 四郎", ADMIN_PASS, ADMIN_PASS)
    assert admin_ctx.access.mode == Mode.ON and admin_ctx.access.role == Role.ADMIN


def test_a_database_opened_again_has_nobody_signed_in(
    admin_ctx: AppContext, reopen: Callable[[], AppContext]
) -> None:
    admin_ctx.districts.create_block("北部", "ほくぶ")
    again = reopen()
    assert again.access.mode == Mode.ON and again.access.actor is None
    with pytest.raises(NotSignedIn, match="サインインしていません"):
        again.districts.list_blocks()
    with pytest.raises(NotSignedIn):
        again.districts.create_block("南部", "なんぶ")
    again.accounts.sign_in("shokuin", STAFF_PASS)
    assert [b.name for b in again.districts.list_blocks()] == ["北部"]
    assert admin_ctx.access.actor is not None  # the first window is still signed in
