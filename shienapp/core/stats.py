"""Population figures: the ageing rate is always computed from the counts, never typed."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


def ageing_rate(population_65_plus: int | None, total_population: int | None) -> float | None:
    """高齢化率 in percent (65歳以上 ÷ 総人口 × 100); None when there is nobody to divide by."""
    if population_65_plus is None or not total_population:
        return None
    return population_65_plus * 100.0 / total_population


def format_rate(rate: float | None) -> str:
    """28.4% style, one decimal as municipal tables print it; a dash when unknown.

    Rounded half up (四捨五入), as those tables are: 22.25% prints as 22.3%, where Python's
    own formatting (half to even, on the binary value) would print 22.2%.
    """
    if rate is None or not math.isfinite(rate):
        return "—"
    # repr() is the shortest decimal that round-trips, so 28.45 is rounded as 28.45, not as
    # the binary 28.449999….
    return f"{Decimal(repr(rate)).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def format_count(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


@dataclass(frozen=True, slots=True)
class StatisticsFigures:
    """The counts of one district (or the whole city) in one 年度."""

    fiscal_year: int
    total_population: int
    population_65_plus: int
    population_75_plus: int | None = None
    households: int | None = None
    elderly_single_households: int | None = None

    @property
    def ageing_rate(self) -> float | None:
        return ageing_rate(self.population_65_plus, self.total_population)

    @property
    def late_elderly_rate(self) -> float | None:
        """後期高齢化率 (75歳以上 ÷ 総人口)."""
        return ageing_rate(self.population_75_plus, self.total_population)


def validate_figures(
    total: int | None,
    p65: int | None,
    p75: int | None,
    households: int | None,
    single: int | None,
) -> list[tuple[str, str]]:
    """Problems as (field label, reason); an empty list means the figures are consistent."""
    problems: list[tuple[str, str]] = []
    named = {
        "総人口": total,
        "65歳以上": p65,
        "75歳以上": p75,
        "世帯数": households,
        "高齢者単身世帯": single,
    }
    for label, value in named.items():
        if value is not None and value < 0:
            problems.append((label, f"負の数は入力できません（{value}）"))
    if total is None:
        problems.append(("総人口", "必須です"))
    if p65 is None:
        problems.append(("65歳以上", "必須です"))
    if total is not None and p65 is not None and p65 > total >= 0:
        problems.append(("65歳以上", f"総人口（{total:,}）より多くなっています（{p65:,}）"))
    if p65 is not None and p75 is not None and p75 > p65 >= 0:
        problems.append(("75歳以上", f"65歳以上（{p65:,}）より多くなっています（{p75:,}）"))
    if households is not None and single is not None and single > households >= 0:
        problems.append(
            ("高齢者単身世帯", f"世帯数（{households:,}）より多くなっています（{single:,}）")
        )
    if p65 is not None and single is not None and single > p65 >= 0:
        problems.append(
            ("高齢者単身世帯", f"65歳以上（{p65:,}）より多くなっています（{single:,}）")
        )
    return problems
