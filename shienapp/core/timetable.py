"""The weekly timetable of activities (seed 002: 月～日 × 午前 / 午後 / 夜)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time
from typing import Protocol

from shienapp.core.schedule import Slot, time_range_text


class Timed(Protocol):
    """What the timetable reads of an activity (a ``ResourceRow``, a ``TimetableEntry``)."""

    @property
    def name(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def schedule(self) -> tuple[Slot, ...]: ...


PARTS: tuple[str, ...] = ("午前", "午後", "夜")


def part_of_day(starts: time | None) -> str:
    """By the start time: before noon 午前, before 17:00 午後, later 夜; no time counts as 午前."""
    if starts is None or starts < time(12):
        return "午前"
    return "午後" if starts < time(17) else "夜"


def cell_text(resource: Timed, slot: Slot) -> str:
    """中居サロン 14:00～16:00（第2・4）: name, time and, for a monthly slot, which weeks."""
    text = f"{resource.name} {time_range_text(slot.starts, slot.ends)}".strip()
    if not slot.is_weekly:
        weeks = slot.describe().split(" ")[0]  # 第2・第4 / 最終 / 毎月
        if weeks.startswith("第"):
            weeks = "第" + weeks.replace("第", "")
        text += f"（{weeks}）"
    return text


def timetable(resources: Sequence[Timed]) -> dict[tuple[int, str], list[str]]:
    """(weekday 0–6, part of day) → the activities in that cell, by start time then name.

    Only activities that run (活動中) are placed.
    """
    cells: dict[tuple[int, str], list[tuple[time, str]]] = {}
    for resource in resources:
        if resource.status != "活動中":
            continue
        for slot in resource.schedule:
            for weekday in slot.weekdays:
                key = (weekday, part_of_day(slot.starts))
                cells.setdefault(key, []).append(
                    (slot.starts or time(0), cell_text(resource, slot))
                )
    return {key: [text for _, text in sorted(items)] for key, items in cells.items()}
