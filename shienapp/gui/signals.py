"""One application-wide signal that broadcasts what a service call changed."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from shienapp.core.changes import Changes


class AppSignals(QObject):
    """Each tab listens and decides for itself whether a ``Changes`` concerns it."""

    changed = Signal(object)

    def emit_changes(self, changes: Changes) -> None:
        if changes:
            self.changed.emit(changes)
