"""高齢化率 and the checks on population figures."""

from __future__ import annotations

import pytest

from shienapp.core.stats import (
    StatisticsFigures,
    ageing_rate,
    format_count,
    format_rate,
    validate_figures,
)


@pytest.mark.parametrize(
    ("p65", "total", "expected"),
    [
        (300, 1000, 30.0),
        (600, 3000, 20.0),
        (900, 4000, 22.5),
        (0, 1000, 0.0),
        (1000, 1000, 100.0),
        (1, 3, 100 / 3),
        (2845, 10000, 28.45),
    ],
)
def test_ageing_rate(p65: int, total: int, expected: float) -> None:
    assert ageing_rate(p65, total) == expected


@pytest.mark.parametrize(("p65", "total"), [(0, 0), (10, 0), (None, 1000), (100, None)])
def test_ageing_rate_is_unknown_without_a_population(p65: int | None, total: int | None) -> None:
    assert ageing_rate(p65, total) is None


@pytest.mark.parametrize(
    ("rate", "text"),
    [
        (28.4, "28.4%"),
        (30.0, "30.0%"),
        (0.0, "0.0%"),
        (100.0, "100.0%"),
        (100 / 3, "33.3%"),
        (200 / 3, "66.7%"),
        (22.5, "22.5%"),
        # Half up (四捨五入), as municipal tables round: not half to even, not the binary value.
        (22.25, "22.3%"),  # exact in binary; half-to-even would give 22.2%
        (28.45, "28.5%"),  # binary 28.449999…; plain formatting gives 28.4%
        (ageing_rate(569, 2000), "28.5%"),
        (ageing_rate(89, 400), "22.3%"),
        (28.44, "28.4%"),
        (None, "—"),
    ],
)
def test_format_rate(rate: float | None, text: str) -> None:
    assert format_rate(rate) == text


def test_format_count() -> None:
    assert format_count(1234567) == "1,234,567"
    assert format_count(0) == "0"
    assert format_count(None) == ""


def test_figures_compute_their_rates() -> None:
    figures = StatisticsFigures(2024, 4000, 900, 450, 1800, 210)
    assert figures.ageing_rate == 22.5
    assert figures.late_elderly_rate == 11.25
    assert StatisticsFigures(2024, 0, 0).ageing_rate is None
    assert StatisticsFigures(2024, 100, 30).late_elderly_rate is None


def test_consistent_figures_have_no_problems() -> None:
    assert validate_figures(1000, 300, 150, 450, 80) == []
    assert validate_figures(1000, 300, None, None, None) == []
    assert validate_figures(0, 0, 0, 0, 0) == []
    assert validate_figures(1000, 1000, 1000, 80, 80) == []  # equal is allowed


def test_negative_numbers_are_refused() -> None:
    assert validate_figures(-1, 0, None, -5, None) == [
        ("総人口", "負の数は入力できません（-1）"),
        ("世帯数", "負の数は入力できません（-5）"),
    ]
    assert validate_figures(1000, -3, -2, 10, -1) == [
        ("65歳以上", "負の数は入力できません（-3）"),
        ("75歳以上", "負の数は入力できません（-2）"),
        ("高齢者単身世帯", "負の数は入力できません（-1）"),
    ]


def test_total_and_65_plus_are_required() -> None:
    assert validate_figures(None, None, None, None, None) == [
        ("総人口", "必須です"),
        ("65歳以上", "必須です"),
    ]


def test_65_plus_cannot_exceed_the_total() -> None:
    assert validate_figures(1000, 1200, None, None, None) == [
        ("65歳以上", "総人口（1,000）より多くなっています（1,200）"),
    ]


def test_75_plus_cannot_exceed_65_plus() -> None:
    assert validate_figures(1000, 300, 301, None, None) == [
        ("75歳以上", "65歳以上（300）より多くなっています（301）"),
    ]


def test_single_households_cannot_exceed_households_or_65_plus() -> None:
    assert validate_figures(1000, 300, None, 120, 121) == [
        ("高齢者単身世帯", "世帯数（120）より多くなっています（121）"),
    ]
    assert validate_figures(10000, 300, None, 5000, 301) == [
        ("高齢者単身世帯", "65歳以上（300）より多くなっています（301）"),
    ]


def test_a_negative_total_is_reported_once_not_also_as_a_comparison() -> None:
    assert validate_figures(-10, 5, None, None, None) == [
        ("総人口", "負の数は入力できません（-10）"),
    ]
