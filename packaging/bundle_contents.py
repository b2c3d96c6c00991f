"""What goes into the one-folder build besides the code PyInstaller finds by itself.

Plain Python with no PyInstaller import, so shienapp.spec, build.py and the tests read the same
lists. (packaging/ has no ``__init__.py`` on purpose: the PyPI package ``packaging`` must win.)
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "resources"
MIGRATIONS = ROOT / "shienapp" / "storage" / "migrations"

# Inside the bundle (under sys._MEIPASS); config.resources_dir() and runner.MIGRATIONS_DIR
# look there.
RESOURCES_DEST = "shienapp/resources"
MIGRATIONS_DEST = "shienapp/storage/migrations"

APP_NAME = "shienapp"  # the window (windowed on Windows) and the folder
CLI_NAME = "shienapp-cli"  # the same program with a console, for the commands

# Imported inside functions or by name at run time. PyInstaller sees most imports inside
# functions too; these are the ones it cannot see (loaded by name) or that we want to be sure of.
HIDDEN_IMPORTS = [
    "alembic",
    "alembic.command",
    "alembic.config",
    "alembic.script",
    "alembic.runtime.migration",
    "alembic.ddl.sqlite",
    "alembic.ddl.postgresql",
    "sqlalchemy.dialects.sqlite",
    "sqlalchemy.dialects.sqlite.pysqlite",
    "sqlalchemy.dialects.sqlite.pysqlcipher",
    # A city-wide server (SHIENAPP_DATABASE_URL=postgresql+psycopg://…): SQLAlchemy loads the
    # driver by name; psycopg_binary carries libpq.
    "sqlalchemy.dialects.postgresql",
    "sqlalchemy.dialects.postgresql.psycopg",
    "psycopg",
    "psycopg_binary",
    "sqlcipher3",
    "sqlcipher3.dbapi2",
    "argon2",
    "cryptography.hazmat.primitives.ciphers.aead",
    "cryptography.hazmat.primitives.kdf.scrypt",
    "matplotlib.backends.backend_agg",
    "matplotlib.backends.backend_svg",
    "matplotlib.backends.backend_pdf",
    "matplotlib.backends.backend_qtagg",
    "reportlab.pdfbase.ttfonts",
    "reportlab.platypus",
    "reportlab.graphics.barcode",
    "openpyxl",
    "networkx",
    "scipy.sparse",
    "scipy.sparse.linalg",
    "scipy.optimize",
    "icalendar",
    "dateutil.rrule",
    "zoneinfo",
    "tzdata",
    "platformdirs",
]

# Not used by the app; left out to keep the folder small.
EXCLUDES = [
    "tkinter",
    "_tkinter",
    "matplotlib.backends.backend_tkagg",
    "matplotlib.backends.backend_tkcairo",
    "matplotlib.backends._backend_tk",
    "matplotlib.backends.backend_gtk3agg",
    "matplotlib.backends.backend_gtk4agg",
    "matplotlib.backends.backend_wxagg",
    "matplotlib.backends.backend_webagg",
    "matplotlib.backends.backend_nbagg",
    "PyQt5",
    "PyQt6",
    "PySide2",
    "PySide6.QtWebEngineCore",
    "PySide6.QtWebEngineWidgets",
    "PySide6.QtWebEngineQuick",
    "PySide6.QtWebChannel",
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtQuickWidgets",
    "PySide6.QtQuick3D",
    "PySide6.Qt3DCore",
    "PySide6.QtMultimedia",
    "PySide6.QtDesigner",
    "PySide6.QtUiTools",
    "PySide6.QtHelp",
    "PySide6.QtSql",
    "PySide6.QtTest",
    "PySide6.QtOpenGLWidgets",
    "IPython",
    "jupyter_client",
    "notebook",
    "pytest",
    "_pytest",
    "hypothesis",
    "pytest_alembic",
    "pytestqt",
    "pypdf",
    "ruff",
    "PyInstaller",
    "setuptools",
    "pip",
    "psycopg2",
    "pydoc",
    "lib2to3",
    "test",
    "unittest",
]
# unittest: numpy.testing and scipy import it at run time in a few places; keep it if they do.
EXCLUDES.remove("unittest")


def resource_files() -> list[Path]:
    """Fonts (with their licence), templates and icons: every file under resources/."""
    return sorted(
        path
        for path in RESOURCES.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".py", ".pyc")
    )


def migration_files() -> list[Path]:
    """Alembic reads env.py and the version scripts as files from its script location, so they
    travel as data files as well as compiled modules."""
    files = [MIGRATIONS / "env.py", MIGRATIONS / "script.py.mako"]
    files += sorted((MIGRATIONS / "versions").glob("*.py"))
    return files


def datas() -> list[tuple[str, str]]:
    """(source file, folder inside the bundle) pairs for the spec's Analysis(datas=...)."""
    pairs: list[tuple[str, str]] = []
    for path in resource_files():
        folder = Path(RESOURCES_DEST) / path.parent.relative_to(RESOURCES)
        pairs.append((str(path), folder.as_posix()))
    for path in migration_files():
        folder = Path(MIGRATIONS_DEST) / path.parent.relative_to(MIGRATIONS)
        pairs.append((str(path), folder.as_posix()))
    return pairs
