"""Test-wide set-up: headless Qt, a private matplotlib cache, and a data folder per test."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MPLCONFIGDIR", tempfile.mkdtemp(prefix="shienapp-mpl-"))

import pytest

from shienapp.core.context import AppContext


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test touches the real user data folder or a database named by the environment."""
    data = tmp_path / "userdata"
    monkeypatch.setenv("SHIENAPP_DATA_DIR", str(data))
    monkeypatch.delenv("SHIENAPP_DATABASE_URL", raising=False)
    return data


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.sqlite3"


@pytest.fixture
def ctx(db_path: Path) -> Iterator[AppContext]:
    """A fresh, empty database created by the migrations."""
    context = AppContext.open(db_path)
    yield context
    context.close()
