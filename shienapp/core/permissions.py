"""What each role may do: the one place that decides.

Nothing else compares roles. Services ask ``Access.require(Action.…)`` (core/access.py), every
write session is checked against ``Action.EDIT`` whatever service opened it, and the GUI asks
``Access.may`` only to grey out what would be refused anyway.
"""

from __future__ import annotations

from enum import Enum, StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    STAFF = "staff"
    VIEWER = "viewer"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @classmethod
    def from_label(cls, text: str) -> Role:
        for role, label in ROLE_LABELS.items():
            if text in (label, role.value):
                return role
        raise ValueError(text)


ROLE_LABELS = {Role.ADMIN: "管理者", Role.STAFF: "職員", Role.VIEWER: "閲覧"}

ROLE_DESCRIPTIONS = {
    Role.ADMIN: (
        "すべての操作に加えて、アカウント・バックアップからの復元・設定・ごみ箱を空にする・監査記録"
    ),
    Role.STAFF: "記録の作成・変更・削除、取込・書き出し・印刷、持ち出し・持ち帰り",
    Role.VIEWER: "見るだけ（変更はできません。人の連絡先とメモは表示されません）",
}


class Action(Enum):
    """Something a role may or may not do; the value is how a refusal names it."""

    READ = "記録を見る"
    SEE_PERSONAL = "人の連絡先とメモを見る"
    EDIT = "記録の作成・変更・削除"
    EXPORT_PERSONAL = "個人情報を含む書き出し・名簿の印刷"
    EXCHANGE = "持ち出し・持ち帰り"
    BACKUP = "バックアップの作成"
    RESTORE = "バックアップからの復元"
    SETTINGS = "設定の変更（バックアップの保存先・自動ロック・アカウントの使用）"
    EMPTY_TRASH = "ごみ箱を空にする"
    MANAGE_ACCOUNTS = "アカウントの管理"
    VIEW_AUDIT = "監査記録を見る・書き出す"
    MOVE_TO_SERVER = "データベース全体のサーバーへの移行"


_STAFF = frozenset(
    {
        Action.READ,
        Action.SEE_PERSONAL,
        Action.EDIT,
        Action.EXPORT_PERSONAL,
        Action.EXCHANGE,
        Action.BACKUP,
    }
)

ALLOWED: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset(Action),
    Role.STAFF: _STAFF,
    Role.VIEWER: frozenset({Action.READ}),
}


def may(role: Role | None, action: Action) -> bool:
    """``role`` None means accounts are switched off: the app is open to whoever sits there."""
    return role is None or action in ALLOWED[role]


def least_role(action: Action) -> Role:
    """The smallest role that may do ``action`` (for the message that refuses it)."""
    for role in (Role.VIEWER, Role.STAFF, Role.ADMIN):
        if action in ALLOWED[role]:
            return role
    return Role.ADMIN
