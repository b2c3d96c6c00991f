"""Load a tab's records the first time it is shown, not when the window is built.

On a large city the 会議 list (30,000 meetings), the people (50,000) and a map of 500 points
would otherwise all be read before the window appears, though the user sees one tab at a time.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget


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
