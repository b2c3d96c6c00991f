"""The one helper for long work off the GUI thread (after Anki's CollectionOp / QueryOp).

``run_in_background`` runs ``work`` on the thread pool while a progress dialog shows; success
and failure come back on the GUI thread. ``work`` receives a ``Progress`` it may report to and
poll for a cancel; a service that is cancelled raises, rolls back and writes nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget


class Progress:
    """Thread-safe progress and cancel flag shared by the worker and the dialog."""

    def __init__(self) -> None:
        self._cancelled = threading.Event()
        self.report: Callable[[int, int], None] = lambda _done, _total: None

    def cancel(self) -> None:
        self._cancelled.set()

    def is_cancelled(self) -> bool:
        return self._cancelled.is_set()

    def __call__(self, done: int, total: int) -> None:
        self.report(done, total)


class _Relay(QObject):
    succeeded = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int)


class _Task(QRunnable):
    def __init__(self, work: Callable[[Progress], Any], progress: Progress, relay: _Relay) -> None:
        super().__init__()
        self._work, self._progress, self._relay = work, progress, relay
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self._work(self._progress)
        except BaseException as exc:  # handed to the GUI thread, which shows it
            self._relay.failed.emit(exc)
        else:
            self._relay.succeeded.emit(result)


_running: set[_Relay] = set()


def run_in_background(
    parent: QWidget | None,
    label: str,
    work: Callable[[Progress], Any],
    on_success: Callable[[Any], None],
    on_failure: Callable[[BaseException], None],
    *,
    cancellable: bool = True,
) -> _Relay:
    progress = Progress()
    relay = _Relay()
    _running.add(relay)
    dialog = QProgressDialog(label, "中止" if cancellable else "", 0, 0, parent)
    dialog.setWindowTitle("処理中")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(400)
    if not cancellable:
        dialog.setCancelButton(None)
    dialog.canceled.connect(progress.cancel)
    progress.report = relay.progressed.emit

    def _on_progress(done: int, total: int) -> None:
        dialog.setMaximum(total)
        dialog.setValue(done)

    def _finish() -> None:
        dialog.canceled.disconnect(progress.cancel)
        dialog.reset()
        dialog.deleteLater()
        _running.discard(relay)

    def _ok(result: object) -> None:
        _finish()
        on_success(result)

    def _fail(exc: object) -> None:
        _finish()
        assert isinstance(exc, BaseException)
        on_failure(exc)

    relay.progressed.connect(_on_progress)
    relay.succeeded.connect(_ok)
    relay.failed.connect(_fail)
    QThreadPool.globalInstance().start(_Task(work, progress, relay))
    return relay
