"""The About box: the version from its one place and the licences of what is bundled."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from shienapp import __version__, notices
from shienapp.gui.main_window import about_text


def test_about_box_shows_version_font_and_every_library(qtbot: QtBot, tmp_path: Path) -> None:
    text = about_text()
    assert f"版 {__version__}" in text
    for line in notices.summary_lines():
        assert line in text
    box = QMessageBox(QMessageBox.Icon.Information, "このアプリについて", text)
    qtbot.addWidget(box)
    box.show()
    QApplication.processEvents()
    shot = tmp_path / "about.png"
    assert box.grab().save(str(shot))
    assert box.height() > 200  # the whole list, not a cut-off line
