"""The arrows between layers point one way, and start-up stays light.

core/ and storage/ know nothing of Qt or the GUI; the GUI never reaches past core into storage.
The rule is checked twice: by reading every import here, and by the ruff TID251 ban that
editors and CI run (and that ban is itself tested, so a broken config cannot pass silently).
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "shienapp"
QT_MODULES = ("PySide6", "shiboken6")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(source: str, module: str, *, is_package: bool = False) -> set[str]:
    """Every module ``source`` imports, anywhere in it (lazy imports inside functions count
    too), with relative imports resolved as if the source were ``module``."""
    package = module if is_package else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                parent = ".".join([*base, node.module] if node.module else base)
            else:
                parent = node.module or ""
            found.add(parent)
            found.update(f"{parent}.{alias.name}" for alias in node.names)
    return found


def imported_modules(path: Path) -> set[str]:
    return imports_of(
        path.read_text(encoding="utf-8"), module_name(path), is_package=path.name == "__init__.py"
    )


def is_within(module: str, top: str) -> bool:
    return module == top or module.startswith(top + ".")


def python_files(*folders: str) -> list[Path]:
    files = sorted(p for folder in folders for p in (PACKAGE / folder).rglob("*.py"))
    assert files, f"no Python files under {folders}"
    return files


def test_the_import_reader_sees_every_form_of_import() -> None:
    # If the reader missed a form, the layer tests below would pass without looking.
    source = (
        "import PySide6.QtCore\n"
        "from shiboken6 import isValid\n"
        "from ..gui import main_window\n"
        "from . import text\n"
        "from .jpdate import parse_date\n"
        "def later():\n"
        "    from shienapp.storage.db import Database\n"
    )
    assert imports_of(source, "shienapp.core.probe") == {
        "PySide6.QtCore",
        "shiboken6",
        "shiboken6.isValid",
        "shienapp.gui",
        "shienapp.gui.main_window",
        "shienapp.core",
        "shienapp.core.text",
        "shienapp.core.jpdate",
        "shienapp.core.jpdate.parse_date",
        "shienapp.storage.db",
        "shienapp.storage.db.Database",
    }
    assert imports_of("from . import errors", "shienapp.core", is_package=True) == {
        "shienapp.core",
        "shienapp.core.errors",
    }


@pytest.mark.parametrize("path", python_files("core", "storage"), ids=lambda p: module_name(p))
def test_core_and_storage_know_nothing_of_qt_or_the_gui(path: Path) -> None:
    forbidden = sorted(
        module
        for module in imported_modules(path)
        if any(is_within(module, top) for top in (*QT_MODULES, "shienapp.gui", "shienapp.app"))
    )
    assert forbidden == []


@pytest.mark.parametrize("path", python_files("gui"), ids=lambda p: module_name(p))
def test_gui_never_reaches_into_storage(path: Path) -> None:
    forbidden = sorted(m for m in imported_modules(path) if is_within(m, "shienapp.storage"))
    assert forbidden == []


def ruff(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def test_ruff_qt_ban_passes_on_the_package() -> None:
    result = ruff("--select", "TID251", "shienapp", cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_qt_ban_flags_qt_in_core_and_storage_but_not_in_gui(tmp_path: Path) -> None:
    # A copy of the project's own configuration over a small tree shaped like the package, so
    # the per-file exceptions (gui/ may use Qt) apply exactly as they do in the checkout.
    shutil.copyfile(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    qt_imports = (
        "from PySide6.QtCore import QObject\n"
        "import PySide6.QtWidgets\n"
        "from shiboken6 import isValid\n"
        "\n"
        "print(QObject, PySide6.QtWidgets, isValid)\n"
    )
    for relative in ("shienapp/core/x.py", "shienapp/storage/y.py", "shienapp/gui/z.py"):
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(qt_imports, encoding="utf-8")

    result = ruff("--select", "TID251", ".", cwd=tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    flagged = sorted(
        line.split(":")[0].replace("\\", "/")
        for line in result.stdout.splitlines()
        if "TID251" in line
    )
    assert flagged == ["shienapp/core/x.py"] * 3 + ["shienapp/storage/y.py"] * 3


def run_python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


STARTUP = """
import sys
from shienapp.core.context import AppContext
import shienapp.storage.db

context = AppContext.open(sys.argv[1])
context.districts.list_districts()
context.districts.city_figures()
context.close()
heavy = ("alembic", "matplotlib", "reportlab", "openpyxl", "networkx", "PySide6", "shiboken6")
print(",".join(sorted(name for name in heavy if name in sys.modules)))
"""


def test_opening_an_up_to_date_database_loads_nothing_heavy(tmp_path: Path) -> None:
    path = tmp_path / "shienapp.sqlite3"
    made = run_python(
        "import sys\n"
        "from shienapp.core.context import AppContext\n"
        "AppContext.open(sys.argv[1]).close()\n",
        str(path),
    )
    assert made.returncode == 0, made.stderr
    assert path.exists()

    result = run_python(STARTUP, str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
