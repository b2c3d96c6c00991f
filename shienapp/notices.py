"""What ships inside the app and under which licence, for the About box.

The About box must name the licences of the bundled font and libraries even in a build with no
package metadata, so the list is written here; a test keeps it in step with the dependencies in
pyproject.toml. A built folder also holds the full texts (THIRD_PARTY_LICENSES.txt, written by
packaging/build.py from the installed packages).
"""

from __future__ import annotations

import sys
from pathlib import Path

LICENCES_FILE = "THIRD_PARTY_LICENSES.txt"

# The bundled font: (name, licence).
FONTS: tuple[tuple[str, str], ...] = (("IPAexゴシック", "IPAフォントライセンス v1.0"),)

# The libraries the app depends on directly: (distribution name as in pyproject.toml, what it
# is called for people, licence).
LIBRARIES: tuple[tuple[str, str, str], ...] = (
    ("PySide6-Essentials", "Qt for Python (PySide6) と Qt 6", "LGPL-3.0"),
    ("PySide6-Pdf", "Qt PDF (PySide6)", "LGPL-3.0"),
    ("SQLAlchemy", "SQLAlchemy", "MIT"),
    ("alembic", "Alembic", "MIT"),
    ("platformdirs", "platformdirs", "MIT"),
    ("openpyxl", "openpyxl", "MIT"),
    ("matplotlib", "Matplotlib", "Matplotlib License（PSF 系）"),
    ("reportlab", "ReportLab", "BSD"),
    ("icalendar", "icalendar", "BSD-2-Clause"),
    ("tzdata", "tzdata", "Apache-2.0"),
    ("python-dateutil", "python-dateutil", "Apache-2.0 / BSD-3-Clause"),
    ("networkx", "NetworkX", "BSD-3-Clause"),
    ("scipy", "SciPy", "BSD-3-Clause"),
    ("cryptography", "cryptography", "Apache-2.0 / BSD-3-Clause"),
    ("argon2-cffi", "argon2-cffi", "MIT"),
    ("sqlcipher3", "sqlcipher3 と SQLCipher", "Zlib / BSD-3-Clause"),
    ("psycopg", "psycopg と libpq（PostgreSQL への接続）", "LGPL-3.0 / PostgreSQL License"),
)


def licences_file() -> Path | None:
    """The full licence texts beside the built program, when this is a built folder."""
    if not getattr(sys, "frozen", False):
        return None
    path = Path(sys.executable).resolve().parent / LICENCES_FILE
    return path if path.is_file() else None


def summary_lines() -> list[str]:
    """One line per font and library, in Japanese, for the About box."""
    lines = [f"フォント: {name}（{licence}）" for name, licence in FONTS]
    lines += [f"{label}（{licence}）" for _, label, licence in LIBRARIES]
    if getattr(sys, "frozen", False):
        lines.append("Python（PSF-2.0）")
    return lines
