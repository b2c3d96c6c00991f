"""A date field that takes what people type (R6.4.1, 令和6年4月1日, 2024/4/1) and shows 和暦."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QToolButton,
    QWidget,
    QWidgetAction,
)

from shienapp.core.jpdate import DateParseError, format_wareki, parse_date


class WarekiDateEdit(QWidget):
    """Optional date: empty means no date. ``date()`` is None when empty; ``is_valid()`` is False
    while the text cannot be read, and the reason shows beside the field."""

    dateChanged = Signal(object)

    def __init__(self, parent: QWidget | None = None, *, allow_empty: bool = True) -> None:
        super().__init__(parent)
        self._allow_empty = allow_empty
        self._date: date | None = None
        self._error = ""
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText("例: R6.4.1 / 令和6年4月1日 / 2024-04-01")
        self.button = QToolButton(self)
        self.button.setText("暦")
        self.button.setToolTip("カレンダーから選ぶ")
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.calendar = QCalendarWidget()
        self.calendar.setGridVisible(True)
        menu = QMenu(self.button)
        action = QWidgetAction(menu)
        action.setDefaultWidget(self.calendar)
        menu.addAction(action)
        self.button.setMenu(menu)
        self.calendar.clicked.connect(self._picked)
        self.shown = QLabel(self)
        self.shown.setMinimumWidth(190)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.button)
        layout.addWidget(self.shown)
        self.edit.textChanged.connect(self._reparse)
        self._reparse("")

    def date(self) -> date | None:
        return self._date

    def error(self) -> str:
        return self._error

    def is_valid(self) -> bool:
        return not self._error

    def setDate(self, value: date | None) -> None:
        self.edit.setText(format_wareki(value) if value else "")

    def _picked(self, qdate: QDate) -> None:
        self.setDate(date(qdate.year(), qdate.month(), qdate.day()))
        menu = self.button.menu()
        if menu is not None:
            menu.close()

    def _reparse(self, text: str) -> None:
        self._error = ""
        parsed: date | None = None
        if text.strip():
            try:
                parsed = parse_date(text)
            except DateParseError as exc:
                self._error = str(exc)
        elif not self._allow_empty:
            self._error = "日付を入力してください"
        if self._error:
            self.shown.setText(f"※ {self._error}")
            self.shown.setStyleSheet("color: #b00020;")
            self.edit.setStyleSheet("border: 1px solid #b00020;")
        else:
            self.shown.setText(format_wareki(parsed, weekday=True) if parsed else "（未入力）")
            self.shown.setStyleSheet("color: #555;")
            self.edit.setStyleSheet("")
        if parsed is not None:
            self.calendar.setSelectedDate(QDate(parsed.year, parsed.month, parsed.day))
        if parsed != self._date:
            self._date = parsed
            self.dateChanged.emit(parsed)
