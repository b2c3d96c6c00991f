"""Load a tab's records the first time it is shown, not when the window is built.

On a large city the 会議 list (30,000 meetings), the people (50,000) and a map of 500 points
would otherwise all be read before the window appears, though the user sees one tab at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:  # the window's first paint does not wait for the database code
    from shienapp.core.context import AppContext


class LoadWhenShown(QObject):
    """Calls ``load`` once, the first time ``widget`` is shown (or at once if it is visible)."""

    def __init__(self, widget: QWidget, load: Callable[[], object]) -> None:
        super().__init__(widget)
        self._load = load
        self.pending = True
        if widget.isVisible():
            self.run()
        else:
            widget.installEventFilter(self)

    def run(self) -> None:
        if self.pending:
            self.pending = False
            parent = self.parent()
            if isinstance(parent, QWidget):
                parent.removeEventFilter(self)
            self._load()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and self.pending:
            self.run()
        return False


def when_idle(owner: QObject, ctx: AppContext, work: Callable[[], object]) -> None:
    """``work`` once the event loop is free (after the list on screen is painted), only while
    ``owner`` exists, its window is on screen and the data may be read: a window closed, or
    locked by the idle timer, in the meantime reads nothing. The caller keeps its "stale"
    mark set until ``work`` runs, so the skipped reading happens when the page is next shown."""

    def run() -> None:
        window = owner.window() if isinstance(owner, QWidget) else None
        if window is not None and not window.isVisible():
            return  # closed (being torn down) or never shown: read when shown
        if ctx.access.signed_in:
            work()

    QTimer.singleShot(0, owner, run)
