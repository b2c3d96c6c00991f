"""Fixtures for pytest-alembic: ``alembic_config``, ``alembic_engine`` and ``alembic_runner``.

The migrations have no alembic.ini: the config comes from ``runner.alembic_config()``, as the
app builds it. ``env.py`` runs on the ``Connection`` found in ``config.attributes["connection"]``
and pytest-alembic puts whatever ``alembic_engine`` yields there, so that fixture yields a
connection (an ``Engine`` would be refused by ``context.configure``). The connection comes from
``make_engine(url, foreign_keys=False)``, as in ``runner.upgrade``: batch mode rebuilds tables.

``alembic_runner`` and the ``alembic`` marker are defined here too, as the plugin defines them,
so that these tests also run with the plugin's collection hook switched off
(``-p no:pytest_alembic``): pytest-alembic 0.13.1 breaks collection of ``tests/conftest.py``
on pytest >= 9.2 (``TestCollector`` sets ``self._nodeid``, which pytest no longer has).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import alembic.config
import pytest
import pytest_alembic
from pytest_alembic.config import Config
from sqlalchemy import Connection

from shienapp.config import sqlite_url
from shienapp.storage.db import make_engine
from shienapp.storage.migrations.runner import alembic_config as app_alembic_config


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "alembic: Tests which use pytest-alembic.")


@pytest.fixture
def alembic_config() -> alembic.config.Config:
    return app_alembic_config()


@pytest.fixture
def alembic_engine(tmp_path: Path) -> Iterator[Connection]:
    engine = make_engine(sqlite_url(tmp_path / "alembic.sqlite3"), foreign_keys=False)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


@pytest.fixture
def alembic_runner(
    alembic_config: alembic.config.Config, alembic_engine: Connection
) -> Iterator[pytest_alembic.MigrationContext]:
    with pytest_alembic.runner(
        config=Config.from_raw_config(alembic_config), engine=alembic_engine
    ) as context:
        yield context
