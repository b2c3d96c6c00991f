"""When an activity runs, when a volunteer is free, when help is needed.

A slot is an iCalendar recurrence rule (RFC 5545 RRULE, evaluated by python-dateutil, not by
a home-made engine) plus a time of day: 毎週火曜 14:00～16:00 is ``FREQ=WEEKLY;BYDAY=TU``,
第2・第4火曜 is ``FREQ=MONTHLY;BYDAY=2TU,4TU``. Slots are stored as plain dicts (JSON) and
export in the Open Referral (HSDS) schedule shape.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from shienapp.core.errors import UserError

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_JA = ("月", "火", "水", "木", "金", "土", "日")
# Parts of the day as the seeds' timetable names them (seed 002: 午前 / 午後 / 夜).
PARTS_OF_DAY: dict[str, tuple[time, time]] = {
    "午前": (time(9), time(12)),
    "午後": (time(13), time(17)),
    "夜": (time(18), time(21)),
    "終日": (time(9), time(17)),
}
# How far ahead two slots are compared: a year covers every monthly pattern.
OVERLAP_WINDOW_DAYS = 366


@dataclass(frozen=True, slots=True)
class Slot:
    rule: str  # RRULE without the "RRULE:" prefix
    starts: time | None = None
    ends: time | None = None
    note: str = ""

    @property
    def weekdays(self) -> list[int]:
        """0 = Monday … 6 = Sunday: the days this slot can fall on (for a weekly timetable)."""
        days = _rule_parts(self.rule).get("BYDAY", "")
        found = []
        for token in days.split(","):
            code = token.strip()[-2:]
            if code in WEEKDAYS:
                found.append(WEEKDAYS.index(code))
        return sorted(set(found))

    @property
    def is_weekly(self) -> bool:
        return _rule_parts(self.rule).get("FREQ") == "WEEKLY"

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "starts": self.starts.strftime("%H:%M") if self.starts else "",
            "ends": self.ends.strftime("%H:%M") if self.ends else "",
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Slot:
        return cls(
            rule=str(data.get("rule", "")),
            starts=_time_or_none(data.get("starts")),
            ends=_time_or_none(data.get("ends")),
            note=str(data.get("note", "")),
        )

    def describe(self) -> str:
        """毎週 火・木 14:00～16:00 / 第2・第4 火曜 10:00～12:00, as a list prints it."""
        parts = _rule_parts(self.rule)
        if parts.get("FREQ") == "WEEKLY":
            interval = parts.get("INTERVAL", "1")
            head = "毎週" if interval == "1" else f"{interval}週ごと"
            if interval == "1" and self.weekdays == list(range(7)):
                text = "毎日"
            elif interval == "1" and self.weekdays == list(range(5)):
                text = "平日"
            else:
                days = "・".join(WEEKDAY_JA[d] for d in self.weekdays)
                text = f"{head} {days}曜"
        elif parts.get("FREQ") == "MONTHLY" and parts.get("BYDAY"):
            tokens = parts["BYDAY"].split(",")
            ordinals = sorted({t[:-2] for t in tokens}, key=lambda o: (int(o) < 0, int(o)))
            day = WEEKDAY_JA[WEEKDAYS.index(tokens[0][-2:])]
            ords = "・".join("最終" if o == "-1" else f"第{o}" for o in ordinals)
            text = f"{ords} {day}曜"
        elif parts.get("FREQ") == "MONTHLY" and parts.get("BYMONTHDAY"):
            text = f"毎月 {parts['BYMONTHDAY'].replace(',', '・')}日"
        else:
            text = self.rule
        when = time_range_text(self.starts, self.ends)
        return f"{text} {when}".strip()

    def occurrences(self, start: date, end: date) -> list[date]:
        """Every date the slot falls on from ``start`` to ``end`` (both inclusive)."""
        from dateutil.rrule import rrulestr

        rule = rrulestr(self.rule, dtstart=datetime.combine(start, time()))
        return [d.date() for d in rule.between(
            datetime.combine(start, time()), datetime.combine(end, time()), inc=True
        )]  # fmt: skip

    def to_hsds(self) -> dict[str, Any]:
        """The Open Referral (HSDS 3) ``schedule`` object for this slot."""
        parts = _rule_parts(self.rule)
        out: dict[str, Any] = {
            "freq": parts.get("FREQ", ""),
            "interval": int(parts.get("INTERVAL", "1")),
            "byday": parts.get("BYDAY", ""),
            "bymonthday": parts.get("BYMONTHDAY", ""),
            "opens_at": self.starts.strftime("%H:%M") if self.starts else None,
            "closes_at": self.ends.strftime("%H:%M") if self.ends else None,
            "description": self.describe(),
        }
        if self.note:
            out["notes"] = self.note
        return out


def time_range_text(starts: time | None, ends: time | None) -> str:
    if starts is None:
        return ""
    return f"{starts:%H:%M}～{ends:%H:%M}" if ends else f"{starts:%H:%M}～"


def times_overlap(a: Slot, b: Slot) -> bool:
    """Time-of-day ranges share a minute; a slot with no time covers the whole day."""
    if a.starts is None or b.starts is None:
        return True
    a_end = a.ends or _plus_hours(a.starts, 1)
    b_end = b.ends or _plus_hours(b.starts, 1)
    return a.starts < b_end and b.starts < a_end


def overlaps(a: Slot, b: Slot, *, since: date | None = None) -> bool:
    """True when the two slots meet on some day in the coming year at overlapping times."""
    if not times_overlap(a, b):
        return False
    start = since or date.today()
    end = start + timedelta(days=OVERLAP_WINDOW_DAYS)
    days_a = set(a.occurrences(start, end))
    return any(d in days_a for d in b.occurrences(start, end))


def any_overlap(a: list[Slot], b: list[Slot], *, since: date | None = None) -> bool:
    return any(overlaps(x, y, since=since) for x in a for y in b)


# --- reading what people type ----------------------------------------------------------------

_ORD_RE = re.compile(r"第\s*([1-5１-５])")
_LAST = "\u241e"  # stands in for 最終 while a slot is read
_DAY_RE = re.compile(r"[月火水木金土日]")
_TIME_RE = re.compile(r"(\d{1,2})[:時](\d{2})?分?")


def parse_slot(text: str) -> Slot:
    """毎週火曜 14:00-16:00, 火木 午前, 第2・第4火曜 14:00～16:00, 第3水曜 午後, 最終金曜 夜.

    Refused with a Japanese message that says what could not be read.
    """
    raw = unicodedata.normalize("NFKC", text).strip()
    if not raw:
        raise UserError("日時を入力してください（例：毎週火曜 14:00～16:00、第2・第4火曜 午後）。")
    # 最終 contains 終日 (all day): set it aside before the parts of the day are read.
    raw = raw.replace("最終", _LAST)
    starts, ends = _read_times(raw)
    head = _TIME_RE.sub("", raw)
    for part in PARTS_OF_DAY:
        head = head.replace(part, "")
    ordinals = [int(unicodedata.normalize("NFKC", o)) for o in _ORD_RE.findall(head)]
    if _LAST in head:
        ordinals.append(-1)
    head_days = (
        _ORD_RE.sub("", head)
        .replace(_LAST, "")
        .replace("曜日", "")
        .replace("曜", "")
        .replace("毎週", "")
        .replace("毎月", "")
    )
    # 毎日 is every day and 平日 Monday to Friday; neither names a weekday (毎日's 日 is not 日曜).
    days = list(WEEKDAYS) if "毎日" in head_days else []
    if "平日" in head_days:
        days += list(WEEKDAYS[:5])
    head_days = head_days.replace("毎日", "").replace("平日", "")
    days += [WEEKDAYS[WEEKDAY_JA.index(d)] for d in _DAY_RE.findall(head_days)]
    if not days:
        raise UserError(f"「{text}」から曜日が読めません（例：毎週火曜、第2・第4火曜）。")
    if ordinals:
        if len(set(days)) != 1:
            raise UserError(f"「{text}」: 第○週の指定は曜日を一つにしてください。")
        ordinals = sorted(set(ordinals), key=lambda o: (o < 0, o))
        rule = "FREQ=MONTHLY;BYDAY=" + ",".join(f"{o}{days[0]}" for o in ordinals)
    else:
        ordered = sorted(set(days), key=WEEKDAYS.index)
        rule = "FREQ=WEEKLY;BYDAY=" + ",".join(ordered)
    return Slot(rule, starts, ends)


def _read_times(raw: str) -> tuple[time | None, time | None]:
    for part, (start, end) in PARTS_OF_DAY.items():
        if part in raw and not _TIME_RE.search(raw):
            return start, end
    found = _TIME_RE.findall(raw)
    if not found:
        return None, None
    try:
        times = [time(int(h), int(m or 0)) for h, m in found[:2]]
    except ValueError:
        raise UserError(f"「{raw}」の時刻が読めません（例：14:00～16:00）。") from None
    starts = times[0]
    ends = times[1] if len(times) > 1 else None
    if ends is not None and ends <= starts:
        raise UserError(f"「{raw}」: 終わりの時刻が始まりより前です。")
    return starts, ends


def _rule_parts(rule: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for item in rule.removeprefix("RRULE:").split(";"):
        key, _, value = item.partition("=")
        if key:
            parts[key.strip().upper()] = value.strip().upper()
    return parts


def _time_or_none(value: Any) -> time | None:
    if not value:
        return None
    if isinstance(value, time):
        return value
    hours, _, minutes = str(value).partition(":")
    return time(int(hours), int(minutes or 0))


def _plus_hours(t: time, hours: int) -> time:
    moment = datetime.combine(date(2000, 1, 1), t) + timedelta(hours=hours)
    return moment.time() if moment.date() == date(2000, 1, 1) else time(23, 59)
