"""The search field every list uses; the folding itself (kana, width) is core's."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLineEdit, QWidget


class SearchBox(QLineEdit):
    """Emits ``searchChanged`` a moment after typing stops, so a large list is not re-filtered on
    every keystroke of an IME composition."""

    searchChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, delay_ms: int = 150) -> None:
        super().__init__(parent)
        self.setPlaceholderText("検索（ひらがな・カタカナ・半角 どれでも）")
        self.setClearButtonEnabled(True)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(lambda: self.searchChanged.emit(self.text()))
        self.textChanged.connect(lambda _t: self._timer.start())

    def flush(self) -> None:
        """Apply the pending search now (tests, and Enter)."""
        if self._timer.isActive():
            self._timer.stop()
            self.searchChanged.emit(self.text())
