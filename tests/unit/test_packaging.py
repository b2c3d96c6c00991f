"""The PyInstaller recipe (packaging/) without building: what it would collect, and the version.

Building takes minutes; `python packaging/build.py` builds and smoke-tests the real thing."""

from __future__ import annotations

import ast
import importlib.util
import shutil
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

import shienapp
from shienapp import config
from shienapp.storage.migrations import runner

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, PACKAGING / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


contents = _load("bundle_contents")


def _lay_out(datas: list[tuple[str, str]], into: Path) -> None:
    """Put the data files where PyInstaller would: folder inside the bundle / file name."""
    for source, folder in datas:
        target = into / folder / Path(source).name
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            target.symlink_to(source)
        except OSError:
            shutil.copy2(source, target)


def test_the_data_folders_exist() -> None:
    assert (contents.RESOURCES / "fonts" / "ipaexg.ttf").is_file()
    assert (contents.MIGRATIONS / "env.py").is_file()
    assert contents.MIGRATIONS == runner.MIGRATIONS_DIR


def test_the_font_its_licence_and_the_templates_are_collected() -> None:
    pairs = {(Path(source).name, folder) for source, folder in contents.datas()}
    assert ("ipaexg.ttf", "shienapp/resources/fonts") in pairs
    assert ("IPA_Font_License_Agreement_v1.0.txt", "shienapp/resources/fonts") in pairs
    for template in (contents.RESOURCES / "templates").iterdir():
        assert (template.name, "shienapp/resources/templates") in pairs


def test_every_migration_script_is_collected_as_a_file() -> None:
    pairs = {(Path(source).name, folder) for source, folder in contents.datas()}
    assert ("env.py", "shienapp/storage/migrations") in pairs
    scripts = sorted((runner.MIGRATIONS_DIR / "versions").glob("*.py"))
    assert len(scripts) >= 8
    for script in scripts:
        assert (script.name, "shienapp/storage/migrations/versions") in pairs


def test_a_frozen_app_finds_the_font_and_every_migration_where_they_are_collected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _lay_out(contents.datas(), tmp_path)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert config.font_path() == tmp_path / "shienapp" / "resources" / "fonts" / "ipaexg.ttf"
    assert config.font_path().stat().st_size > 1_000_000

    # In the bundle runner.py sits in the same folder as the collected scripts.
    monkeypatch.setattr(runner, "MIGRATIONS_DIR", tmp_path / contents.MIGRATIONS_DEST)
    bundled = runner.script_revisions()
    monkeypatch.undo()
    assert bundled == runner.script_revisions()


def test_the_spec_uses_the_shared_lists_and_parses() -> None:
    text = (PACKAGING / "shienapp.spec").read_text(encoding="utf-8")
    ast.parse(text)
    for needed in (
        "contents.datas()",
        "contents.HIDDEN_IMPORTS",
        "contents.EXCLUDES",
        'collect_submodules("shienapp")',
        "COLLECT(",
    ):
        assert needed in text


def test_hidden_imports_exist() -> None:
    missing = [name for name in contents.HIDDEN_IMPORTS if importlib.util.find_spec(name) is None]
    assert missing == []


def _imported_modules() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "shienapp").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_nothing_the_app_imports_is_excluded() -> None:
    imported = _imported_modules()
    excluded = [
        name
        for name in imported
        for left_out in contents.EXCLUDES
        if name == left_out or name.startswith(left_out + ".")
    ]
    assert excluded == []


def test_the_version_is_written_in_one_place() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project = pyproject["project"]
    assert "version" not in project
    assert "version" in project["dynamic"]
    dynamic = pyproject["tool"]["setuptools"]["dynamic"]["version"]
    assert dynamic == {"attr": "shienapp.__version__"}
    assert shienapp.__version__.count(".") >= 2
    assert any(r.startswith("pyinstaller") for r in project["optional-dependencies"]["build"])


def test_the_smoke_test_knows_the_head_revision(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.setitem(sys.modules, "bundle_contents", contents)
    build = _load("build")
    assert build._last_revision() == runner.script_revisions()[-1]
