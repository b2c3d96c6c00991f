"""Keep PySide6 from reading the source of every module imported after it.

PySide6 replaces ``__import__`` to support ``from __feature__ import snake_case``; after each
import it reads the new module's whole source file to see whether "PySide6" occurs in it
(``shibokensupport.feature._mod_uses_pyside``). SQLAlchemy, the models and the services load
after the window shell, so start-up read some 400 source files for nothing: 70–120 ms of the
district list's wait (measured with /tmp/su/hook.py-style A/B, see docs/benchmarks.md), and
the same again when matplotlib or reportlab first load. shienapp never uses ``__feature__``.

Only modules that may use Qt are still looked at; everything else is answered "does not use
PySide" at once, which is what the scan would have found. Private PySide6 API: if it is not
there (another version, a frozen build without it) nothing is changed.
"""

from __future__ import annotations

from typing import Any

QT_MODULES = ("PySide6", "shiboken6", "shienapp.gui", "matplotlib.backends", "pytestqt")


def skip_feature_scan() -> bool:
    """Install the narrower check; True if PySide6's scan is now limited to Qt modules."""
    try:
        from shibokensupport import feature  # type: ignore[import-not-found]
    except ImportError:
        return False
    original = getattr(feature, "_mod_uses_pyside", None)
    if original is None:
        return False
    if getattr(original, "narrowed", False):
        return True

    def uses_pyside(module: Any) -> bool:
        name = getattr(module, "__name__", "") or ""
        return name.startswith(QT_MODULES) and bool(original(module))

    uses_pyside.narrowed = True  # type: ignore[attr-defined]
    feature._mod_uses_pyside = uses_pyside
    return True
