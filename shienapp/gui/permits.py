"""Controls that need more than reading are hidden from an account that may not use them.

The services refuse anyway (core/access.py guards every write); this only keeps a 閲覧
account from being offered an 追加 or 削除 that would end in a refusal, and greys the
管理者's menu items for everyone else. Each control names the
``Action`` it needs once, where it is built; the window applies them whenever who is signed in
changes.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from shienapp.core.permissions import Action

NEEDS = "shienapp_needs"  # the Qt property holding the Action's name
GREY = "shienapp_grey"  # greyed rather than hidden


def needs(action: Action, *controls: QWidget | QAction, grey: bool = False) -> None:
    """Mark ``controls`` as doing ``action``: hidden when the account may not, or with
    ``grey`` shown greyed (a menu's admin items, so staff see that they exist)."""
    for control in controls:
        control.setProperty(NEEDS, action.name)
        control.setProperty(GREY, grey)


def apply(root: QObject, may: Callable[[Action], bool]) -> int:
    """Show, hide or grey every marked control under ``root``; how many were refused."""
    refused = 0
    for control in [*root.findChildren(QWidget), *root.findChildren(QAction)]:
        name = control.property(NEEDS)
        if not name:
            continue
        allowed = may(Action[name])
        if control.property(GREY):
            control.setEnabled(allowed)
        else:
            control.setVisible(allowed)
        refused += not allowed
    return refused
