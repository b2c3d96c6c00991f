"""Slots: reading what people type, describing them, and when two of them meet."""

from __future__ import annotations

import calendar
from datetime import date, time

import pytest

from shienapp.core.errors import UserError
from shienapp.core.schedule import (
    PARTS_OF_DAY,
    Slot,
    any_overlap,
    overlaps,
    parse_slot,
    times_overlap,
)

SINCE = date(2025, 1, 1)


def test_a_weekly_slot_with_times() -> None:
    slot = parse_slot("毎週火曜 14:00～16:00")
    assert slot.rule == "FREQ=WEEKLY;BYDAY=TU"
    assert (slot.starts, slot.ends) == (time(14), time(16))
    assert slot.is_weekly and slot.weekdays == [1]


def test_second_and_fourth_tuesday_is_a_monthly_rule() -> None:
    slot = parse_slot("第2・第4火曜 14:00～16:00")
    assert slot.rule == "FREQ=MONTHLY;BYDAY=2TU,4TU"
    assert not slot.is_weekly


def test_full_width_digits_are_read_as_ascii() -> None:
    slot = parse_slot("第２・第４火曜 １４:００～１６:３０")
    assert slot.rule == "FREQ=MONTHLY;BYDAY=2TU,4TU"
    assert (slot.starts, slot.ends) == (time(14), time(16, 30))


def test_last_friday_evening_is_not_read_as_all_day() -> None:
    slot = parse_slot("最終金曜 夜")
    assert slot.rule == "FREQ=MONTHLY;BYDAY=-1FR"
    assert (slot.starts, slot.ends) == (time(18), time(21)) == PARTS_OF_DAY["夜"]


def test_parts_of_the_day_give_their_hours() -> None:
    assert (parse_slot("火木 午前").starts, parse_slot("火木 午前").ends) == (time(9), time(12))
    afternoon = parse_slot("毎週水曜 午後")
    assert (afternoon.starts, afternoon.ends) == (time(13), time(17))
    assert parse_slot("火木 午前").rule == "FREQ=WEEKLY;BYDAY=TU,TH"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("毎日 10:00～12:00", "毎日 10:00～12:00"),
        ("平日 午前", "平日 09:00～12:00"),
        ("第2・第4火曜 14:00～16:00", "第2・第4 火曜 14:00～16:00"),
        ("最終金曜 夜", "最終 金曜 18:00～21:00"),
        ("木火", "毎週 火・木曜"),
        ("毎週月曜 9:30", "毎週 月曜 09:30～"),
    ],
)
def test_describe_prints_the_slot_as_a_list_shows_it(text: str, expected: str) -> None:
    assert parse_slot(text).describe() == expected


def test_a_slot_crossing_noon_meets_both_morning_and_afternoon() -> None:
    crossing = parse_slot("毎週水曜 10:30～13:30")
    assert overlaps(crossing, parse_slot("毎週水曜 午後"), since=SINCE)
    assert overlaps(crossing, parse_slot("毎週水曜 午前"), since=SINCE)
    assert not overlaps(
        parse_slot("毎週水曜 10:00～11:00"), parse_slot("毎週水曜 午後"), since=SINCE
    )


def test_touching_ends_do_not_overlap() -> None:
    morning = parse_slot("毎週月曜 10:00～12:00")
    noon = parse_slot("毎週月曜 12:00～14:00")
    assert not times_overlap(morning, noon)
    assert not overlaps(morning, noon, since=SINCE)
    assert overlaps(morning, parse_slot("毎週月曜 11:59～14:00"), since=SINCE)


def test_same_time_on_different_weekdays_does_not_overlap() -> None:
    assert times_overlap(parse_slot("毎週月曜 午後"), parse_slot("毎週火曜 午後"))
    assert not overlaps(parse_slot("毎週月曜 午後"), parse_slot("毎週火曜 午後"), since=SINCE)


def test_a_monthly_slot_meets_a_weekly_one_only_on_its_weeks() -> None:
    third = parse_slot("第3水曜 午後")
    assert overlaps(third, parse_slot("毎週水曜 午後"), since=SINCE)
    assert not overlaps(third, parse_slot("第2水曜 午後"), since=SINCE)
    assert not overlaps(third, parse_slot("第3木曜 午後"), since=SINCE)
    assert any_overlap(
        [parse_slot("第2水曜 午後"), third], [parse_slot("毎週水曜 午後")], since=SINCE
    )
    assert not any_overlap([third], [parse_slot("第2水曜 午後")], since=SINCE)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    days = [
        d
        for d in calendar.Calendar().itermonthdates(year, month)
        if d.month == month and d.weekday() == weekday
    ]
    return days[n - 1] if n > 0 else days[n]


def test_occurrences_of_the_third_wednesday() -> None:
    found = parse_slot("第3水曜 午後").occurrences(date(2025, 1, 1), date(2025, 3, 31))
    expected = [_nth_weekday(2025, m, calendar.WEDNESDAY, 3) for m in (1, 2, 3)]
    assert found == expected == [date(2025, 1, 15), date(2025, 2, 19), date(2025, 3, 19)]


def test_occurrences_of_the_last_friday_and_both_ends_inclusive() -> None:
    found = parse_slot("最終金曜 夜").occurrences(date(2025, 1, 31), date(2025, 2, 28))
    assert found == [
        _nth_weekday(2025, 1, calendar.FRIDAY, -1),
        _nth_weekday(2025, 2, calendar.FRIDAY, -1),
    ]
    assert found == [date(2025, 1, 31), date(2025, 2, 28)]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "日時を入力してください"),
        ("   ", "日時を入力してください"),
        ("そのうち", "曜日が読めません"),
        ("25:00～26:00 火曜", "時刻が読めません"),
        ("毎週火曜 16:00～14:00", "終わりの時刻が始まりより前"),
        ("毎週火曜 14:00～14:00", "終わりの時刻が始まりより前"),
        ("第2火木", "曜日を一つに"),
    ],
)
def test_bad_text_is_refused_in_japanese(text: str, fragment: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_slot(text)
    assert fragment in caught.value.message


def test_to_dict_and_from_dict_round_trip() -> None:
    slot = Slot("FREQ=MONTHLY;BYDAY=2TU,4TU", time(14), time(16, 30), "公民館")
    data = slot.to_dict()
    assert data == {
        "rule": "FREQ=MONTHLY;BYDAY=2TU,4TU",
        "starts": "14:00",
        "ends": "16:30",
        "note": "公民館",
    }
    assert Slot.from_dict(data) == slot
    no_time = Slot("FREQ=WEEKLY;BYDAY=MO")
    assert no_time.to_dict()["starts"] == ""
    assert Slot.from_dict(no_time.to_dict()) == no_time


def test_to_hsds_gives_the_open_referral_schedule_shape() -> None:
    hsds = parse_slot("第2・第4火曜 14:00～16:00").to_hsds()
    assert hsds["freq"] == "MONTHLY"
    assert hsds["byday"] == "2TU,4TU"
    assert hsds["interval"] == 1
    assert (hsds["opens_at"], hsds["closes_at"]) == ("14:00", "16:00")
    assert hsds["description"] == "第2・第4 火曜 14:00～16:00"
    assert "notes" not in hsds
    untimed = Slot("FREQ=WEEKLY;BYDAY=SA", note="雨天中止").to_hsds()
    assert (untimed["opens_at"], untimed["notes"]) == (None, "雨天中止")


def test_a_slot_without_a_time_covers_the_whole_day() -> None:
    all_day = parse_slot("毎週水曜")
    assert (all_day.starts, all_day.ends) == (None, None)
    assert overlaps(all_day, parse_slot("毎週水曜 夜"), since=SINCE)
