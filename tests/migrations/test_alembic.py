"""pytest-alembic's built-in checks on the shipped migrations (fixtures in conftest.py):

- ``test_single_head_revision``: the history has one head, not two unmerged branches;
- ``test_upgrade``: an empty database upgrades from base to head;
- ``test_model_definitions_match_ddl``: autogenerate against the upgraded database finds
  nothing to do, so the models and the migrations describe the same schema;
- ``test_up_down_consistency``: every revision upgrades, then every downgrade runs back to
  base, and the history upgrades again.

Imported by name, so they run in every test run (no ``--test-alembic`` flag needed).
"""

from __future__ import annotations

from pytest_alembic.tests import (
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)

__all__ = [
    "test_model_definitions_match_ddl",
    "test_single_head_revision",
    "test_up_down_consistency",
    "test_upgrade",
]
