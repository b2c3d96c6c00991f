"""The typed ORM models. Import from here, not from the submodules."""

from shienapp.storage.models.base import Base, RecordMixin, utcnow
from shienapp.storage.models.registry import (
    Block,
    Council,
    CouncilStatusEvent,
    District,
    DistrictStatistics,
)

__all__ = [
    "Base",
    "Block",
    "Council",
    "CouncilStatusEvent",
    "District",
    "DistrictStatistics",
    "RecordMixin",
    "utcnow",
]
