"""The schema revisions this version of the app knows, oldest first.

Kept as plain data so that opening an up-to-date database does not import Alembic (half a
second at start-up); a test checks that this list matches the migration scripts.
"""

from __future__ import annotations

REVISIONS: tuple[str, ...] = (
    "0001_registry",
    "0002_councils",
    "0003_meetings",
    "0004_directory",
    "0005_network",
    "0006_plans",
    "0007_sync",
    "0008_access",
    "0009_list_keys",
)
HEAD = REVISIONS[-1]
