"""The licences named in the About box follow the dependencies declared in pyproject.toml."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import pytest

from shienapp import notices

ROOT = Path(__file__).resolve().parents[2]


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(spec: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", spec)
    assert match, spec
    return _key(match.group(0))


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_every_runtime_dependency_is_named_with_a_licence() -> None:
    named = {_key(name): licence for name, _, licence in notices.LIBRARIES}
    for spec in _project()["dependencies"]:
        name = _requirement_name(spec)
        assert name in named, f"{name} は notices.LIBRARIES にありません"
        assert named[name].strip(), name


def test_nothing_named_that_is_not_declared() -> None:
    project = _project()
    declared = {_requirement_name(spec) for spec in project["dependencies"]}
    for group in project.get("optional-dependencies", {}).values():
        declared |= {_requirement_name(spec) for spec in group}
    for name, _, _ in notices.LIBRARIES:
        assert _key(name) in declared, name


def test_summary_names_the_font_and_each_library() -> None:
    lines = notices.summary_lines()
    assert lines[0] == "フォント: IPAexゴシック（IPAフォントライセンス v1.0）"
    assert "SQLAlchemy（MIT）" in lines
    assert len(lines) == len(notices.FONTS) + len(notices.LIBRARIES)
    assert not any("Python（PSF" in line for line in lines)  # not bundled from a pip install


def test_a_built_folder_points_to_its_full_texts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exe = tmp_path / "shienapp.exe"
    exe.write_bytes(b"")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(exe))
    assert notices.licences_file() is None  # built, but the file is missing
    (tmp_path / notices.LICENCES_FILE).write_text("licences", encoding="utf-8")
    assert notices.licences_file() == tmp_path / notices.LICENCES_FILE
    assert notices.summary_lines()[-1] == "Python（PSF-2.0）"


def test_not_built_has_no_licences_file() -> None:
    assert not getattr(sys, "frozen", False)
    assert notices.licences_file() is None
