"""The interpreter and Qt binding survive long sessions (why requires-python is >= 3.12)."""

from __future__ import annotations

import subprocess
import sys


def test_many_qt_calls_do_not_exhaust_none() -> None:
    """PySide6 6.12 drops a reference to None on each call of a method returning nothing; on
    Python 3.11 the interpreter aborted after a few thousand (a map repaint makes that many)."""
    script = (
        "import os; os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from PySide6.QtWidgets import QApplication, QLabel\n"
        "app = QApplication([]); label = QLabel()\n"
        "for _ in range(50_000): label.setText('支え合い')\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.strip() == "ok"


def test_qt_standard_buttons_speak_japanese_from_the_shipped_translation() -> None:
    """Cancel / Close in Qt's own dialogs come from qtbase_ja.qm inside PySide6 (offline)."""
    script = (
        "import os; os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from shienapp.app import create_application\n"
        "from PySide6.QtWidgets import QDialogButtonBox as B\n"
        "app = create_application()\n"
        "box = B(B.StandardButton.Cancel | B.StandardButton.Close)\n"
        "print(','.join(sorted(b.text() for b in box.buttons())))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.strip() == "キャンセル,閉じる"
