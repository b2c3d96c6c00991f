"""和暦 (Japanese era) dates and 年度 (April–March fiscal years).

Dates are stored as ISO ``date`` values; this module turns them into what a Japanese office
reads and writes (令和7年2月20日（木）, R7.2.20, 令和6年度) and back.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta


@dataclass(frozen=True, slots=True)
class Era:
    name: str
    letter: str
    start: date


# Newest first. 明治 is counted from 1868-01-25 (the Gregorian equivalent of its retroactive start).
ERAS: tuple[Era, ...] = (
    Era("令和", "R", date(2019, 5, 1)),
    Era("平成", "H", date(1989, 1, 8)),
    Era("昭和", "S", date(1926, 12, 25)),
    Era("大正", "T", date(1912, 7, 30)),
    Era("明治", "M", date(1868, 1, 25)),
)
_ERA_BY_KEY = {e.name: e for e in ERAS} | {e.letter: e for e in ERAS}

WEEKDAYS = "月火水木金土日"

# Plausible range for any date this app records (births of the oldest residents to far plans).
MIN_DATE = date(1868, 1, 25)
MAX_DATE = date(2199, 12, 31)


class DateParseError(ValueError):
    """A date the user typed could not be understood; the message is Japanese."""


def era_of(d: date) -> tuple[Era, int]:
    """The era and the year within it (1 for 元年)."""
    for era in ERAS:
        if d >= era.start:
            return era, d.year - era.start.year + 1
    raise DateParseError(f"{d.isoformat()} は明治より前の日付です")


def era_year_text(year: int) -> str:
    return "元" if year == 1 else str(year)


def weekday_ja(d: date) -> str:
    return WEEKDAYS[d.weekday()]


def format_wareki(d: date | None, *, weekday: bool = False) -> str:
    """令和7年2月20日, or 令和7年2月20日（木） with ``weekday``; empty for no date."""
    if d is None:
        return ""
    era, year = era_of(d)
    text = f"{era.name}{era_year_text(year)}年{d.month}月{d.day}日"
    if weekday:
        text += f"（{weekday_ja(d)}）"
    return text


def format_wareki_short(d: date | None) -> str:
    """R7.2.20: the compact form used in tables and file names."""
    if d is None:
        return ""
    era, year = era_of(d)
    return f"{era.letter}{year}.{d.month}.{d.day}"


def format_wareki_month(d: date) -> str:
    era, year = era_of(d)
    return f"{era.name}{era_year_text(year)}年{d.month}月"


def format_both(d: date | None) -> str:
    """令和7年2月20日（2025-02-20）: the western date stays available next to the 和暦."""
    if d is None:
        return ""
    return f"{format_wareki(d)}（{d.isoformat()}）"


# --- 年度 -------------------------------------------------------------------------------------


def fiscal_year_of(d: date) -> int:
    """The 年度 a date falls in, named by the western year in which it starts (April)."""
    return d.year if d.month >= 4 else d.year - 1


def fiscal_year_range(fiscal_year: int) -> tuple[date, date]:
    """First and last day of a 年度 (both inclusive)."""
    return date(fiscal_year, 4, 1), date(fiscal_year + 1, 3, 31)


def fiscal_year_label(fiscal_year: int) -> str:
    """令和6年度 for 2024.

    The era is the one in force on 1 May of the 年度, which is how municipal reports name the
    年度 in which an era changed: April 2019–March 2020 is 令和元年度, April 1988–March 1989 is
    昭和63年度.
    """
    era, year = era_of(date(fiscal_year, 5, 1))
    return f"{era.name}{era_year_text(year)}年度"


def fiscal_year_short(fiscal_year: int) -> str:
    """R6 for 2024, as in a chart's axis."""
    era, year = era_of(date(fiscal_year, 5, 1))
    return f"{era.letter}{year}"


# Era years run to three digits: 令和100年 is 2118, inside the range this app accepts.
_FY_RE = re.compile(
    r"^(?:(?P<era>令和|平成|昭和|大正|明治|R|H|S|T|M)\s*(?P<ey>元|\d{1,3})|(?P<y>\d{4}))"
    r"\s*(?:年度|年)?$"
)


def _next_era_start(era: Era) -> date | None:
    index = ERAS.index(era)
    return ERAS[index - 1].start if index > 0 else None


def parse_fiscal_year(value: object) -> int:
    """2024, '2024', '2024年度', '令和6年度', 'R6' → 2024.

    An era year that cannot name a 年度 of that era (令和0年度, 平成32年度, 昭和64年度) is refused
    rather than guessed; 平成31年度 stays valid, as that 年度 began under 平成.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        year = value
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().upper()
        m = _FY_RE.match(text)
        if not m:
            raise DateParseError(f"年度「{value}」を読み取れません（例: 2024、令和6年度、R6）")
        if m.group("y"):
            year = int(m.group("y"))
        else:
            era = _ERA_BY_KEY[m.group("era")]
            ey = 1 if m.group("ey") == "元" else int(m.group("ey"))
            year = era.start.year + ey - 1
            next_start = _next_era_start(era)
            if ey < 1 or (next_start is not None and date(year, 4, 1) >= next_start):
                raise DateParseError(f"年度「{value}」は{era.name}の期間外です")
    if not (MIN_DATE.year <= year <= MAX_DATE.year):
        raise DateParseError(f"年度「{value}」は範囲外です")
    return year


# --- parsing what people type -----------------------------------------------------------------

_ISO_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_ERA_RE = re.compile(
    r"^(令和|平成|昭和|大正|明治|R|H|S|T|M)\s*(元|\d{1,3})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$"
)
_WEEKDAY_SUFFIX_RE = re.compile(r"[（(]\s*[月火水木金土日]\s*(?:曜日?)?\s*[）)]$")
_TIME_SUFFIX_RE = re.compile(r"\s+\d{1,2}:\d{2}(?::\d{2})?$")

EXCEL_EPOCH = date(1899, 12, 30)


def from_excel_serial(serial: float) -> date:
    """An Excel (1900 system) day number to a date."""
    if not math.isfinite(serial):
        raise DateParseError(f"Excel の日付シリアル値 {serial} は範囲外です")
    whole = int(serial)
    if whole < 1 or whole > 2958465:
        raise DateParseError(f"Excel の日付シリアル値 {serial} は範囲外です")
    if whole == 60:
        # Excel shows serial 60 as 1900年2月29日, a day that never was: refuse, do not guess.
        raise DateParseError(f"Excel の日付シリアル値 {serial} は存在しない日（1900年2月29日）です")
    if whole < 60:
        # Excel counts a 29 February 1900 that never was; serials before it are off by one.
        whole += 1
    return EXCEL_EPOCH + timedelta(days=whole)


def parse_date(value: object) -> date:
    """Read a date as people write it in Japanese offices.

    Accepts ``date``/``datetime``, Excel serials, ISO (2024-04-01, 2024/4/1, 20240401,
    2024年4月1日), and 和暦 (令和6年4月1日, R6.4.1, 令和元年5月1日, H31/4/30), with or without a
    trailing weekday. Full-width digits are folded. A 和暦 date outside its era is refused rather
    than guessed, because it is usually a typo.
    """
    if isinstance(value, datetime):
        result = value.date()
    elif isinstance(value, date):
        result = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        result = from_excel_serial(value)
    elif isinstance(value, str):
        result = _parse_date_text(value)
    else:
        raise DateParseError(f"日付「{value}」を読み取れません")
    if not (MIN_DATE <= result <= MAX_DATE):
        raise DateParseError(f"日付「{value}」は範囲外です（明治元年から2199年まで）")
    return result


def _parse_date_text(raw: str) -> date:
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        raise DateParseError("日付が空です")
    text = _WEEKDAY_SUFFIX_RE.sub("", text).strip()
    text = _TIME_SUFFIX_RE.sub("", text).strip()
    upper = text.upper()
    try:
        if m := _ISO_RE.match(upper):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _COMPACT_RE.match(upper):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _ERA_RE.match(upper):
            era = _ERA_BY_KEY[m[1]]
            era_year = 1 if m[2] == "元" else int(m[2])
            if era_year < 1:
                raise DateParseError(f"日付「{raw}」の年が正しくありません")
            result = date(era.start.year + era_year - 1, int(m[3]), int(m[4]))
            actual_era, _ = era_of(result)
            if actual_era is not era:
                raise DateParseError(
                    f"日付「{raw}」は{era.name}の期間外です"
                    f"（{result.isoformat()} は{format_wareki(result)}）"
                )
            return result
    except ValueError as exc:
        if isinstance(exc, DateParseError):
            raise
        raise DateParseError(f"日付「{raw}」は存在しない日です") from exc
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return from_excel_serial(float(text))
    raise DateParseError(f"日付「{raw}」を読み取れません（例: 2024-04-01、令和6年4月1日、R6.4.1）")
