"""The start-up floor: a bare QApplication and an empty QMainWindow, nothing of shienapp.

Run by ``shienapp bench`` as a script (by path, so the shienapp package is never imported) in
a fresh process. ``SHIENAPP_BENCH_T0`` is the wall-clock time the parent took just before
starting the process; the line printed is the seconds from then until the event loop is idle
with the window shown, the same moment the app's own start-up is measured at.
"""

import json
import os
import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow


def main() -> int:
    started = float(os.environ["SHIENAPP_BENCH_T0"])
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.resize(1280, 800)
    window.show()
    marks: dict[str, float] = {}

    def shown() -> None:
        marks["window"] = time.time() - started
        app.quit()

    QTimer.singleShot(0, shown)
    app.exec()
    print(json.dumps({"marks": marks}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
