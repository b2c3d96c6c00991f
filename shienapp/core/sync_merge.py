"""The field-by-field three-way merge of one record, and the lineage rules around it.

Pure functions over plain dicts (the exchange file's form of a row), so the rules can be tested
and reasoned about without a database.

A record's *lineage* lists the hashes of its states that have been exchanged, oldest first.
Comparing an incoming state with the local one:

- same content: nothing to do;
- the incoming state is in the local lineage: this copy has seen it already (a re-imported file);
- the local state is in the incoming lineage: the other side built on ours, take theirs;
- otherwise both sides changed it since a common state: merge field by field against it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

# Not compared: the local edit counter and the moment of the last local write.
LOCAL_FIELDS = frozenset({"version", "updated_at"})
DELETED = "deleted_at"
LINEAGE_LIMIT = 64

EDIT_EDIT = "編集と編集"
EDIT_DELETE = "削除と編集"
BOTH_CREATED = "両方で作成"


def state_hash(row: dict[str, Any]) -> str:
    content = {k: v for k, v in row.items() if k not in LOCAL_FIELDS}
    blob = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(blob.encode("utf-8"), digest_size=16).hexdigest()


class Action(Enum):
    SAME = "same"
    ALREADY_SEEN = "seen"
    FAST_FORWARD = "forward"
    MERGE = "merge"


def classify(local_hash: str, local_lineage: list[str], remote_lineage: list[str]) -> Action:
    remote_hash = remote_lineage[-1]
    if local_hash == remote_hash:
        return Action.SAME
    if remote_hash in local_lineage:
        return Action.ALREADY_SEEN
    if local_hash in remote_lineage:
        return Action.FAST_FORWARD
    return Action.MERGE


def common_base(local_lineage: list[str], remote_lineage: list[str], known: set[str]) -> str | None:
    """The newest state in both lineages whose content this copy still has."""
    mine = set(local_lineage)
    for candidate in reversed(remote_lineage):
        if candidate in mine and candidate in known:
            return candidate
    return None


def join_lineage(first: list[str], then: list[str]) -> list[str]:
    """``first`` followed by what ``then`` adds, newest last, capped."""
    seen = set(then)
    joined = [h for h in first if h not in seen] + list(then)
    return joined[-LINEAGE_LIMIT:]


@dataclass
class MergeResult:
    merged: dict[str, Any]
    conflict_fields: list[str] = field(default_factory=list)
    kind: str = ""

    @property
    def in_conflict(self) -> bool:
        return bool(self.kind)


def _alive(row: dict[str, Any] | None) -> bool:
    return row is not None and row.get(DELETED) is None


def merge(base: dict[str, Any] | None, ours: dict[str, Any], theirs: dict[str, Any]) -> MergeResult:
    """Three-way merge: a field changed on one side only takes that side; a field changed on
    both sides to different values keeps ours and is listed as a conflict. An edit beats a
    delete: the record stays alive and the pair is a conflict for a person to look at.

    Until a person chooses, a field in conflict shows the value of the state with the greater
    hash: an arbitrary rule, but the same on both copies, so two copies that merge each other's
    files at the same time still end up holding the same record.
    """
    merged = dict(ours)
    prefer_theirs = state_hash(theirs) > state_hash(ours)
    conflicts: list[str] = []
    edited_by_us: list[str] = []
    edited_by_them: list[str] = []
    keys = [k for k in {**ours, **theirs} if k not in LOCAL_FIELDS and k != "id"]
    for key in keys:
        o, t = ours.get(key), theirs.get(key)
        b = base.get(key) if base is not None else None
        if key == DELETED:
            continue
        if base is not None and o != b:
            edited_by_us.append(key)
        if base is not None and t != b:
            edited_by_them.append(key)
        if o == t:
            continue
        if base is not None and o == b:
            merged[key] = t
        elif base is not None and t == b:
            continue
        else:
            conflicts.append(key)
            # Both copies must reach the same record whichever merges first, so the value
            # shown until a person chooses is picked the same way on both sides.
            if prefer_theirs:
                merged[key] = t
    if base is None:
        edited_by_us = edited_by_them = list(conflicts)
    ours_alive, theirs_alive = _alive(ours), _alive(theirs)
    base_alive = _alive(base) if base is not None else True
    kind = EDIT_EDIT if conflicts else ""
    if ours_alive and theirs_alive:
        merged[DELETED] = None
    elif not ours_alive and not theirs_alive:
        merged[DELETED] = min(ours[DELETED], theirs[DELETED])
    else:
        # One side deleted. If the other side edited it (or brought it back), keep it alive.
        deleter_is_us = not ours_alive
        deleted_here = ours.get(DELETED) if deleter_is_us else theirs.get(DELETED)
        survivor_edited = edited_by_them if deleter_is_us else edited_by_us
        if not base_alive:
            # Deleted in the base already, and the other side brought it back: a restore wins.
            merged[DELETED] = None
        elif not survivor_edited:
            merged[DELETED] = deleted_here
        else:
            merged[DELETED] = None
            kind = EDIT_DELETE
            if DELETED not in conflicts:
                conflicts.append(DELETED)
    return MergeResult(merged=merged, conflict_fields=conflicts, kind=kind)
