"""The typed ORM models. Import from here, not from the submodules."""

from shienapp.storage.models.access import Account, AuditEntry, Setting
from shienapp.storage.models.base import Base, RecordMixin, utcnow
from shienapp.storage.models.directory import (
    Match,
    Need,
    Organisation,
    Resource,
    VocabularyEntry,
)
from shienapp.storage.models.meetings import (
    ActionItem,
    AgendaItem,
    Attendance,
    CouncilMember,
    Decision,
    Meeting,
    Person,
)
from shienapp.storage.models.network import (
    NetworkEdge,
    NetworkMap,
    NetworkMapVersion,
    NetworkNode,
    NetworkView,
)
from shienapp.storage.models.plans import BusinessPlan, GoalEvaluation, PlanGoal, PlanTarget
from shienapp.storage.models.registry import (
    Block,
    Council,
    CouncilStatusEvent,
    District,
    DistrictStatistics,
)
from shienapp.storage.models.sync import (
    SyncConflict,
    SyncDevice,
    SyncHistory,
    SyncPeer,
    SyncRecord,
    SyncState,
)

__all__ = [
    "Account",
    "ActionItem",
    "AgendaItem",
    "Attendance",
    "AuditEntry",
    "Base",
    "Block",
    "BusinessPlan",
    "Council",
    "CouncilMember",
    "CouncilStatusEvent",
    "Decision",
    "District",
    "DistrictStatistics",
    "GoalEvaluation",
    "Match",
    "Meeting",
    "Need",
    "NetworkEdge",
    "NetworkMap",
    "NetworkMapVersion",
    "NetworkNode",
    "NetworkView",
    "Organisation",
    "Person",
    "PlanGoal",
    "PlanTarget",
    "RecordMixin",
    "Resource",
    "Setting",
    "SyncConflict",
    "SyncDevice",
    "SyncHistory",
    "SyncPeer",
    "SyncRecord",
    "SyncState",
    "VocabularyEntry",
    "utcnow",
]
