"""Plain data for the district sheet (地区カルテ), assembled from the registry."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from shienapp.core.districts import CouncilInfo, DistrictDetail, DistrictService, StatisticsRow
from shienapp.core.stats import StatisticsFigures


@dataclass(frozen=True, slots=True)
class DistrictSheetData:
    """Everything the one-page 地区カルテ prints; no database access is needed to draw it."""

    detail: DistrictDetail
    city: dict[int, StatisticsFigures]  # the whole city's totals per 年度
    issued_on: date

    @property
    def name(self) -> str:
        return self.detail.row.name

    @property
    def council(self) -> CouncilInfo | None:
        return self.detail.council

    @property
    def latest(self) -> StatisticsRow | None:
        return self.detail.latest

    @property
    def city_latest(self) -> StatisticsFigures | None:
        latest = self.latest
        return self.city.get(latest.fiscal_year) if latest else None

    def ageing_series(self) -> tuple[list[int], list[float | None], list[float | None]]:
        """年度, the district's rate and the city's rate, over the years the district recorded."""
        years = [st.fiscal_year for st in self.detail.statistics]
        district = [st.ageing_rate for st in self.detail.statistics]
        city = [self.city[y].ageing_rate if y in self.city else None for y in years]
        return years, district, city


def district_sheet_data(
    service: DistrictService, district_id: uuid.UUID, issued_on: date | None = None
) -> DistrictSheetData:
    return DistrictSheetData(
        detail=service.get_district(district_id),
        city=service.city_figures(),
        issued_on=issued_on or date.today(),
    )
