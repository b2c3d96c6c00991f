"""Build the one-folder app with PyInstaller and smoke-test what was built.

    python packaging/build.py               # licences, build, smoke test
    python packaging/build.py --smoke-only  # test the folder already in packaging/dist

The folder is packaging/dist/shienapp/: shienapp(.exe) opens the window, shienapp-cli(.exe) runs
the commands, THIRD_PARTY_LICENSES.txt lists the bundled fonts and libraries with their licences.
PyInstaller builds for the system it runs on: build on Windows for Windows.

The smoke test runs the built programs (no Python needed by them) offscreen on a fresh temporary
database: the demo data (every migration runs), a listing, a sign-in sheet as PDF with the
Japanese font embedded, a chart (matplotlib), an Excel export (openpyxl), then the window for a
few seconds (SHIENAPP_SMOKE_QUIT_MS). Exit status non-zero on any failure.
"""

from __future__ import annotations

import argparse
import importlib.metadata as metadata
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bundle_contents as contents  # noqa: E402

ROOT = contents.ROOT
DIST = HERE / "dist"
WORK = HERE / "build"
APP_DIR = DIST / contents.APP_NAME
LICENCES_NAME = "THIRD_PARTY_LICENSES.txt"
EXE_SUFFIX = ".exe" if sys.platform == "win32" else ""

# Parts inside the bundle that come without Python package metadata.
EXTRA_NOTICES = [
    (
        "IPAexGothic (ipaexg.ttf)",
        "IPA Font License Agreement v1.0",
        ROOT / "resources" / "fonts" / "IPA_Font_License_Agreement_v1.0.txt",
    ),
    (
        f"Python {sys.version.split()[0]}",
        "PSF-2.0 (Python Software Foundation License)",
        None,
    ),
    (
        "SQLCipher (inside sqlcipher3)",
        "BSD-3-Clause, Copyright (c) Zetetic LLC; https://www.zetetic.net/sqlcipher/license/",
        None,
    ),
    (
        "Qt 6 (inside PySide6)",
        "LGPL-3.0-only (https://www.gnu.org/licenses/lgpl-3.0.txt); source: "
        "https://download.qt.io/official_releases/qt/ "
        "and https://code.qt.io/. The Qt libraries are separate files in the folder "
        "and may be replaced by the user.",
        Path("/usr/share/common-licenses/LGPL-3"),
    ),
    (
        "GNU GPL v3 (part of the LGPL v3 above)",
        "GPL-3.0; https://www.gnu.org/licenses/gpl-3.0.txt",
        Path("/usr/share/common-licenses/GPL-3"),
    ),
    (
        "PyInstaller bootloader",
        "GPL-2.0-or-later with the PyInstaller bootloader exception (allows any licence for "
        "the bundled program)",
        None,
    ),
]


# Distributions whose metadata names no licence: read from their licence file.
UNDECLARED = {"sqlcipher3": "Zlib"}


# --- licences -------------------------------------------------------------------------------


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_distributions() -> list[metadata.Distribution]:
    """The app's dependencies (from pyproject.toml) and theirs, as installed here."""
    from packaging.requirements import Requirement  # PyInstaller depends on `packaging`

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    todo = [Requirement(spec).name for spec in project["dependencies"]]
    found: dict[str, metadata.Distribution] = {}
    while todo:
        name = todo.pop()
        if _key(name) in found:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        found[_key(name)] = dist
        for spec in dist.requires or []:
            requirement = Requirement(spec)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return sorted(found.values(), key=lambda d: _key(d.metadata["Name"]))


def licence_name(dist: metadata.Distribution) -> str:
    meta = dist.metadata
    expression = meta.get("License-Expression")
    if expression:
        return expression
    classifiers = [
        c.split("::")[-1].strip() for c in meta.get_all("Classifier") or [] if "License ::" in c
    ]
    text = (meta.get("License") or "").strip()
    if classifiers:
        return ", ".join(classifiers)
    if text and "\n" not in text and len(text) < 80:
        return text
    return UNDECLARED.get(_key(meta["Name"]), "see the licence text below")


def licence_texts(dist: metadata.Distribution) -> list[tuple[str, str]]:
    texts = []
    for file in dist.files or []:
        name = str(file)
        if ".dist-info/" not in name:
            continue
        base = file.name.upper()
        if base.startswith(("LICENSE", "LICENCE", "COPYING", "NOTICE")):
            try:
                data = Path(str(file.locate())).read_bytes()
                texts.append((name, data.decode("utf-8", errors="replace")))
            except OSError:
                continue
    return texts


def write_licences(target: Path) -> list[tuple[str, str, str]]:
    """THIRD_PARTY_LICENSES.txt from the installed distributions' metadata; returns
    (name, version, licence) rows for the summary."""
    dists = runtime_distributions()
    rows = [(d.metadata["Name"], d.version, licence_name(d)) for d in dists]
    out = [
        "shienapp に同梱しているフォントとライブラリのライセンス",
        "Licences of the fonts and libraries bundled with shienapp",
        "=" * 78,
        "",
    ]
    out += [f"{name}: {licence}" for name, licence, _ in EXTRA_NOTICES]
    out += [f"{name} {version}: {licence}" for name, version, licence in rows]
    out.append("")
    for name, licence, path in EXTRA_NOTICES:
        out += ["=" * 78, f"{name} — {licence}", "=" * 78]
        if path is not None and path.exists():
            out.append(path.read_text(encoding="utf-8", errors="replace"))
        elif path is not None:
            # Debian's copy of the GNU texts; elsewhere the address above stands for it.
            print(f"note: {path} not found; {name} is named with its address only")
        out.append("")
    for dist in dists:
        meta = dist.metadata
        out += ["=" * 78, f"{meta['Name']} {dist.version} — {licence_name(dist)}"]
        home = meta.get("Home-page") or next(
            (u.split(",", 1)[1].strip() for u in meta.get_all("Project-URL") or []), ""
        )
        if home:
            out.append(home)
        out.append("=" * 78)
        for name, text in licence_texts(dist):
            out += [f"--- {name.split('/', 1)[-1]} ---", text.rstrip(), ""]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(out) + "\n", encoding="utf-8")
    return rows


# --- build ----------------------------------------------------------------------------------


def build(clean: bool) -> None:
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level",
        "WARN",
        "--distpath",
        str(DIST),
        "--workpath",
        str(WORK),
        str(HERE / "shienapp.spec"),
    ]
    if clean:
        command.insert(3, "--clean")
    subprocess.run(command, check=True, cwd=ROOT)
    shutil.copy2(WORK / LICENCES_NAME, APP_DIR / LICENCES_NAME)


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


# --- smoke test -----------------------------------------------------------------------------


class SmokeFailure(Exception):
    pass


def _run(args: list[str], env: dict[str, str], timeout: float = 300) -> str:
    shown = " ".join(Path(a).name if os.sep in a else a for a in args)
    started = time.perf_counter()
    result = subprocess.run(
        args, env=env, capture_output=True, text=True, encoding="utf-8", timeout=timeout
    )
    took = time.perf_counter() - started
    print(f"  $ {shown}  ({took:.1f} s, exit {result.returncode})")
    if result.returncode != 0:
        raise SmokeFailure(
            f"{shown}: exit {result.returncode}\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
        )
    return result.stdout


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)
    print(f"  ok: {message}")


def _check_pdf(pdf: Path) -> None:
    data = pdf.read_bytes() if pdf.exists() else b""
    _check(data.startswith(b"%PDF"), f"{pdf.name} is a PDF ({len(data):,} bytes)")
    # reportlab writes font objects uncompressed: an embedded TrueType subset of IPAexGothic.
    _check(b"/FontFile2" in data and b"IPAex" in data, "the IPAexGothic font is embedded")
    pdffonts = shutil.which("pdffonts")
    if pdffonts:
        listing = subprocess.run([pdffonts, str(pdf)], capture_output=True, text=True).stdout
        print("    " + "\n    ".join(listing.strip().splitlines()))


def _check_server_driver(cli: Path, env: dict[str, str]) -> None:
    """The PostgreSQL driver is inside the folder: a server that is not there is refused as a
    connection that failed, not as a missing module."""
    url = "postgresql+psycopg://shienapp@127.0.0.1:1/shienapp"  # port 1: nothing listens
    result = subprocess.run(
        [str(cli), "list", "districts", "--db", url],
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    print(f"  $ {cli.name} list districts --db {url}  (exit {result.returncode})")
    said = result.stderr + result.stdout
    _check(any(cli.parent.rglob("libpq*")), "libpq (psycopg's binary package) is in the folder")
    _check(
        result.returncode != 0 and "ModuleNotFoundError" not in said and "No module" not in said,
        "the PostgreSQL driver loads: an absent server fails to connect, not a missing module",
    )


def smoke_test(app_dir: Path = APP_DIR) -> None:
    gui = app_dir / (contents.APP_NAME + EXE_SUFFIX)
    cli = app_dir / (contents.CLI_NAME + EXE_SUFFIX)
    from shienapp import __version__

    with tempfile.TemporaryDirectory(prefix="shienapp-smoke-") as tmp:
        home = Path(tmp)
        env = {
            k: v for k, v in os.environ.items() if not k.startswith("SHIENAPP_") and k != "DISPLAY"
        }
        env |= {
            "QT_QPA_PLATFORM": "offscreen",
            "MPLCONFIGDIR": str(home / "mpl"),
            # Settings, backups and the default database stay in the temporary folder.
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_CACHE_HOME": str(home / "cache"),
            "APPDATA": str(home / "appdata"),
            "LOCALAPPDATA": str(home / "localappdata"),
            "PYTHONIOENCODING": "utf-8",
        }
        db = home / "smoke.sqlite3"

        print(f"smoke test of {app_dir}")
        _check(gui.is_file() and cli.is_file(), f"{gui.name} and {cli.name} exist")
        out = _run([str(cli), "--version"], env)
        _check(__version__ in out, f"version {out.strip()}")

        out = _run([str(cli), "demo", "--db", str(db)], env)
        print("    " + out.strip().splitlines()[0][:120])
        heads = [p.stem for p in (contents.MIGRATIONS / "versions").glob("0*.py")]
        with sqlite3.connect(db) as connection:
            version = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        head = _last_revision()
        _check(
            version is not None and version[0] == head,
            f"fresh database migrated to head {head} ({len(heads)} scripts)",
        )

        out = _run([str(cli), "list", "districts", "--db", str(db)], env)
        _check(len(out.strip().splitlines()) > 10, f"list districts: {len(out.splitlines())} rows")

        out = _run([str(cli), "list", "meetings", "--db", str(db)], env)
        meeting = out.strip().splitlines()[0].split("\t")[0]
        pdf = home / "signin.pdf"
        _run(
            [str(cli), "print", "signin", "--meeting", meeting, "--out", str(pdf), "--db", str(db)],
            env,
        )
        _check_pdf(pdf)

        chart_list = _run([str(cli), "chart", "--list", "--db", str(db)], env)
        chart_name = chart_list.strip().splitlines()[0].split()[0]
        png = home / "chart.png"
        _run([str(cli), "chart", chart_name, "--out", str(png), "--db", str(db)], env)
        _check(png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"chart {chart_name} as PNG")

        xlsx = home / "districts.xlsx"
        _run([str(cli), "export", "districts", str(xlsx), "--db", str(db)], env)
        _check(xlsx.read_bytes()[:2] == b"PK", "districts exported to Excel")

        _check_server_driver(cli, env)

        env_gui = env | {"SHIENAPP_SMOKE_QUIT_MS": "4000"}
        out = _run([str(gui), "--db", str(db)], env_gui, timeout=180)
        line = next((s for s in out.splitlines() if s.startswith("smoke:")), "")
        _check("font=IPAex" in line, f"window opened and quit: {line}")
        _check("qt_ja=True" in line, "Qt's Japanese translation loaded")
        _check("window=True" in line, "main window shown")
    print("smoke test passed")


def _last_revision() -> str:
    revisions = {}
    for path in (contents.MIGRATIONS / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        rev = re.search(r'^revision[^=]*=\s*["\']([^"\']+)', text, re.M)
        down = re.search(r'^down_revision[^=]*=\s*["\']([^"\']+)', text, re.M)
        if rev:
            revisions[rev.group(1)] = down.group(1) if down else None
    parents = set(revisions.values())
    heads = [rev for rev in revisions if rev not in parents]
    if len(heads) != 1:
        raise SmokeFailure(f"expected one head revision, found {heads}")
    return heads[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke-only", action="store_true", help="test the existing build")
    parser.add_argument("--clean", action="store_true", help="empty PyInstaller's cache first")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if not args.smoke_only:
        rows = write_licences(WORK / LICENCES_NAME)
        print(f"{LICENCES_NAME}: {len(rows)} distributions")
        build(args.clean)
        took = time.perf_counter() - started
        size = folder_size(APP_DIR)
        print(f"built {APP_DIR} in {took:.0f} s, {size / 1e6:.0f} MB")
    try:
        smoke_test()
    except (SmokeFailure, subprocess.TimeoutExpired, OSError) as exc:
        print(f"SMOKE TEST FAILED: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
