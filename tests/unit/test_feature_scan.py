"""PySide6's per-import source scan is limited to modules that may use Qt."""

from __future__ import annotations

import inspect
import types

import pytest

import shienapp.app  # noqa: F401  (installs the narrower check, as the app does)
from shienapp.gui.feature_scan import skip_feature_scan

feature = pytest.importorskip("shibokensupport.feature")


def test_a_module_without_qt_is_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    assert skip_feature_scan() is True  # installed once; asking again changes nothing
    read: list[str] = []

    def getsource(module: object) -> str:
        read.append(getattr(module, "__name__", "?"))
        return "import PySide6"

    monkeypatch.setattr(inspect, "getsource", getsource)
    import shienapp.core.meetings as not_qt

    assert feature._mod_uses_pyside(not_qt) is False
    assert feature._mod_uses_pyside(types.ModuleType("sqlalchemy.orm.x")) is False
    assert read == []  # answered without opening the file


def test_qt_modules_are_still_scanned() -> None:
    import shienapp.gui.main_window as qt_module

    assert feature._mod_uses_pyside(qt_module) is True  # its source does name PySide6
