"""Test-wide set-up: headless Qt, a private matplotlib cache, and a data folder per test.

The storage and core tests (``tests/unit`` and ``tests/integration/test_storage.py``) run each
test that opens a database twice: on an SQLite file and on a PostgreSQL database of its own
(see ``pgserver.py``). A test that reads the SQLite file itself (it asks for ``db_path``) or is
marked ``sqlite_only`` runs on SQLite only.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MPLCONFIGDIR", tempfile.mkdtemp(prefix="shienapp-mpl-"))

import pgserver
import pytest

from shienapp.core.context import AppContext

BACKENDS_ROOTS = ("unit", "integration/test_storage.py")


def _both_backends(metafunc: pytest.Metafunc) -> bool:
    tests = Path(__file__).resolve().parent
    path = Path(metafunc.definition.path).resolve()
    if not any(path.is_relative_to(tests / root) for root in BACKENDS_ROOTS):
        return False
    if metafunc.definition.get_closest_marker("sqlite_only") is not None:
        return False
    # A test that opens the SQLite file itself has no PostgreSQL counterpart.
    return "db_path" not in metafunc.fixturenames


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db_backend" in metafunc.fixturenames and _both_backends(metafunc):
        metafunc.parametrize("db_backend", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture(scope="session")
def postgres() -> Iterator[pgserver.Server | str]:
    """The PostgreSQL server of this run, started at the first test that needs it."""
    with pgserver.server() as found:
        yield found


@pytest.fixture
def postgres_server(postgres: pgserver.Server | str) -> pgserver.Server:
    if isinstance(postgres, str):
        pytest.skip(postgres)
    return postgres


@pytest.fixture
def db_backend(request: pytest.FixtureRequest) -> str:
    """``sqlite`` or ``postgresql``: the storage and core tests run on both."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def db_target(
    db_backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[str | Path]:
    """What ``AppContext.open`` is given: an SQLite file, or the URL of a new PostgreSQL
    database at the head revision (dropped after the test)."""
    if db_backend == "sqlite":
        yield tmp_path / "test.sqlite3"
        return
    server: pgserver.Server = request.getfixturevalue("postgres_server")
    url = server.fresh_database()
    yield url
    server.drop(url)


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test touches the real user data folder or a database named by the environment."""
    data = tmp_path / "userdata"
    monkeypatch.setenv("SHIENAPP_DATA_DIR", str(data))
    monkeypatch.delenv("SHIENAPP_DATABASE_URL", raising=False)
    return data


@pytest.fixture
def db_path(tmp_path: Path, db_backend: str) -> Path:
    """The SQLite file of the test (the same one ``ctx`` opens on SQLite)."""
    assert db_backend == "sqlite", "db_path is the SQLite file; PostgreSQL has none"
    return tmp_path / "test.sqlite3"


@pytest.fixture
def ctx(db_target: str | Path) -> Iterator[AppContext]:
    """A fresh, empty database created by the migrations."""
    context = AppContext.open(db_target)
    yield context
    context.close()
