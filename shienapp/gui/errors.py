"""Show a user's error as a Japanese dialog; anything else as a bug report the user can copy."""

from __future__ import annotations

import traceback

from PySide6.QtWidgets import QMessageBox, QWidget

from shienapp.core.errors import UserError


def show_error(parent: QWidget | None, exc: BaseException, title: str = "エラー") -> None:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    if isinstance(exc, UserError):
        box.setText(exc.message)
        if exc.details:
            box.setInformativeText(
                "\n".join(exc.details[:15]) + ("\n…" if len(exc.details) > 15 else "")
            )
            box.setDetailedText("\n".join(exc.details))
    else:
        box.setIcon(QMessageBox.Icon.Critical)
        box.setText(
            "予期しないエラーが起きました。この操作は保存されていません（それまでのデータはそのままです）。"
        )
        box.setInformativeText("詳細を担当者に伝えてください。")
        box.setDetailedText("".join(traceback.format_exception(exc)))
    box.exec()
