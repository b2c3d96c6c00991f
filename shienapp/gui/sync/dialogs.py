"""The questions asked before an exchange: what to take out and where, and the passphrase."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from shienapp.core.exchange_file import MIN_PASSPHRASE, SUFFIX

_PASSPHRASE_HINT = (
    f"{MIN_PASSPHRASE} 文字以上。持ち帰りのときに同じものを入力します。"
    "ファイルと同じ場所（USBメモリ）には書かないでください。"
)


class _PassphraseFields:
    """A passphrase box with a 表示 toggle; used by both dialogs."""

    def __init__(self, parent: QWidget, *, confirm: bool) -> None:
        self.edit = QLineEdit(parent)
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setObjectName("passphrase")
        self.again = QLineEdit(parent) if confirm else None
        if self.again is not None:
            self.again.setEchoMode(QLineEdit.EchoMode.Password)
            self.again.setObjectName("passphrase_again")
        self.show = QCheckBox("入力した文字を表示する", parent)
        self.show.toggled.connect(self._toggle)

    def _toggle(self, visible: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if visible else QLineEdit.EchoMode.Password
        self.edit.setEchoMode(mode)
        if self.again is not None:
            self.again.setEchoMode(mode)

    def problem(self) -> str:
        text = self.edit.text()
        if len(text) < MIN_PASSPHRASE:
            return f"パスフレーズは {MIN_PASSPHRASE} 文字以上にしてください。"
        if self.again is not None and self.again.text() != text:
            return "確認のパスフレーズが一致しません。"
        return ""


def _message_and_buttons(
    dialog: QDialog, layout: QVBoxLayout, ok_text: str, accept: Callable[[], None]
) -> QLabel:
    """The red line that says what is missing, and OK / キャンセル (OK checks first)."""
    message = QLabel("", dialog, wordWrap=True)
    message.setStyleSheet("color: #b00020;")
    layout.addWidget(message)
    buttons = QDialogButtonBox(dialog)
    buttons.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
    buttons.addButton("キャンセル", QDialogButtonBox.ButtonRole.RejectRole)
    buttons.accepted.connect(accept)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    return message


class ExportDialog(QDialog):
    """持ち出し: everything or chosen districts, the file, the passphrase."""

    def __init__(
        self, districts: list[tuple[uuid.UUID, str]], device_name: str, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("交換ファイルを書き出す（持ち出し）")
        self.resize(560, 560)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                f"この端末（{device_name}）の記録を、暗号化した交換ファイルに書き出します。"
                "ノートPCで開くか、別の事務所で取り込みます。",
                self,
                wordWrap=True,
            )
        )
        self.everything = QRadioButton("すべての地区", self)
        self.chosen = QRadioButton(
            "選んだ地区だけ（その地区の会議・人・活動と、それが参照する記録）", self
        )
        self.everything.setChecked(True)
        layout.addWidget(self.everything)
        layout.addWidget(self.chosen)
        self.district_list = QListWidget(self)
        self.district_list.setObjectName("districts")
        for district_id, name in districts:
            item = QListWidgetItem(name, self.district_list)
            item.setData(Qt.ItemDataRole.UserRole, district_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        self.district_list.setEnabled(False)
        self.chosen.toggled.connect(self.district_list.setEnabled)
        layout.addWidget(self.district_list, 1)
        form = QFormLayout()
        file_row = QHBoxLayout()
        self.path_edit = QLineEdit(self)
        self.path_edit.setObjectName("path")
        self.path_edit.setText(str(Path.home() / f"持ち出し_{date.today():%Y%m%d}{SUFFIX}"))
        browse = QPushButton("参照…", self)
        browse.clicked.connect(self._browse)
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(browse)
        form.addRow("保存先", file_row)
        self.passphrase = _PassphraseFields(self, confirm=True)
        form.addRow("パスフレーズ", self.passphrase.edit)
        assert self.passphrase.again is not None
        form.addRow("もう一度", self.passphrase.again)
        form.addRow("", self.passphrase.show)
        layout.addLayout(form)
        layout.addWidget(QLabel(_PASSPHRASE_HINT, self, wordWrap=True))
        self.message = _message_and_buttons(self, layout, "書き出す", self._accept)

    def _browse(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "交換ファイルの保存先", self.path_edit.text(), f"交換ファイル (*{SUFFIX})"
        )
        if name:
            self.path_edit.setText(name if name.lower().endswith(SUFFIX) else name + SUFFIX)

    def selected_districts(self) -> list[uuid.UUID] | None:
        if not self.chosen.isChecked():
            return None
        return [
            self.district_list.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.district_list.count())
            if self.district_list.item(i).checkState() == Qt.CheckState.Checked
        ]

    def path(self) -> Path:
        text = self.path_edit.text().strip()
        return Path(text if text.lower().endswith(SUFFIX) else text + SUFFIX)

    def passphrase_text(self) -> str:
        return self.passphrase.edit.text()

    def problem(self) -> str:
        if not self.path_edit.text().strip():
            return "保存先を指定してください。"
        if not self.path().parent.is_dir():
            return f"保存先のフォルダがありません: {self.path().parent}"
        chosen = self.selected_districts()
        if chosen is not None and not chosen:
            return "書き出す地区を1つ以上選んでください。"
        return self.passphrase.problem()

    def _accept(self) -> None:
        problem = self.problem()
        self.message.setText(problem)
        if not problem:
            self.accept()


class PassphraseDialog(QDialog):
    """持ち帰り: who wrote the file and when, and the passphrase to open it."""

    def __init__(self, file: Path, source: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle("交換ファイルを取り込む（持ち帰り）")
        self.resize(480, 200)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"ファイル: {file.name}\n{source}", self, wordWrap=True))
        form = QFormLayout()
        self.passphrase = _PassphraseFields(self, confirm=False)
        form.addRow("パスフレーズ", self.passphrase.edit)
        form.addRow("", self.passphrase.show)
        layout.addLayout(form)
        layout.addWidget(
            QLabel(
                "取り込む前にこのデータベースのバックアップを取ります。"
                "両方で変えた記録は「競合」として両方の内容を残し、あとで選べます。",
                self,
                wordWrap=True,
            )
        )
        self.message = _message_and_buttons(self, layout, "取り込む", self._accept)

    def passphrase_text(self) -> str:
        return self.passphrase.edit.text()

    def _accept(self) -> None:
        problem = self.passphrase.problem()
        self.message.setText(problem)
        if not problem:
            self.accept()
