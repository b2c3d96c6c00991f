"""Issue 8: "Nothing else in the code checks a role by hand: one place decides what a role may
do." Only core/permissions.py may name a role to decide something; core/accounts.py names 管理者
to make the first one and to keep one, and the accounts dialog offers 職員 as the default."""

from __future__ import annotations

import re
from pathlib import Path

from shienapp.core.permissions import ALLOWED, Action, Role, may

PACKAGE = Path(__file__).resolve().parents[2] / "shienapp"
ROLE_NAMED = re.compile(r"Role\.(ADMIN|STAFF|VIEWER)\b|[\"'](admin|staff|viewer)[\"']")
ALLOWED_FILES = {
    "core/permissions.py": "the one place",
    "core/accounts.py": "makes the first 管理者 and keeps one active",
    "gui/safety/accounts.py": "offers 職員 as the default role of a new account",
    "storage/models/access.py": "the CHECK constraint on the column",
    "storage/migrations/versions/0008_access.py": "the CHECK constraint on the column",
}


def test_no_module_but_the_permissions_table_decides_by_role() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative in ALLOWED_FILES:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if ROLE_NAMED.search(line) and "ItemDataRole" not in line:
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == []


def test_whoever_may_edit_may_see_what_they_edit() -> None:
    """A role that could save a person without seeing their contact details would blank them."""
    for role, actions in ALLOWED.items():
        if Action.EDIT in actions:
            assert Action.SEE_PERSONAL in actions, role


def test_roles_are_nested() -> None:
    assert ALLOWED[Role.VIEWER] < ALLOWED[Role.STAFF] < ALLOWED[Role.ADMIN]
    assert all(may(None, action) for action in Action)  # accounts off: nothing is refused
