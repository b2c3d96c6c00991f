"""地区台帳 through DistrictService, on a fresh database made by the migrations."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from shienapp.core.changes import Changes
from shienapp.core.context import AppContext
from shienapp.core.districts import (
    CouncilEvent,
    CouncilInput,
    DistrictInput,
    DistrictService,
    StatisticsInput,
)
from shienapp.core.errors import NotFoundError, StaleEditError, UserError
from shienapp.core.text import matches, search_terms
from shienapp.storage.models import (
    Block,
    Council,
    CouncilStatusEvent,
    District,
    DistrictStatistics,
)


@pytest.fixture
def service(ctx: AppContext) -> DistrictService:
    return ctx.districts


def new_block(
    service: DistrictService, name: str, reading: str = "", order: int | None = None
) -> uuid.UUID:
    info, _ = service.create_block(name, reading, order)
    return info.id


def new_district(
    service: DistrictService,
    block_id: uuid.UUID,
    name: str,
    reading: str = "",
    council: CouncilInput | None = None,
) -> uuid.UUID:
    district_id, _ = service.create_district(
        DistrictInput(name, reading, block_id, council=council or CouncilInput())
    )
    return district_id


def row_counts(ctx: AppContext) -> dict[str, int]:
    """Every row in the registry tables, soft-deleted ones too: what a refused call must not add."""
    with ctx.db.read() as s:
        return {
            model.__tablename__: s.scalar(select(func.count()).select_from(model)) or 0
            for model in (Block, District, DistrictStatistics, Council, CouncilStatusEvent)
        }


# --- districts: create, list, get, update, delete ---------------------------------------------


def test_create_get_update_delete(ctx: AppContext, service: DistrictService) -> None:
    block = new_block(service, "北ブロック", "きたぶろっく")
    district_id, changes = service.create_district(
        DistrictInput("井野", "いの", block, code="A01", note="駅の北側")
    )
    assert changes == Changes(districts=True, councils=True)

    detail = service.get_district(district_id)
    assert detail.id == district_id
    assert (detail.row.name, detail.row.reading, detail.row.code) == ("井野", "いの", "A01")
    assert detail.row.block_name == "北ブロック"
    assert detail.row.council_status == "未設置"
    assert detail.row.version == 1
    assert detail.note == "駅の北側"
    assert detail.council is not None
    assert detail.council.name == "井野地区 第2層協議体"
    assert detail.council.events == ()  # created 未設置: nothing has happened yet
    assert detail.statistics == ()
    assert detail.latest is None

    changes = service.update_district(
        district_id,
        detail.row.version,
        DistrictInput(
            " 井野町 ",
            "イノマチ",
            block,
            code="A02",
            council=CouncilInput(
                status="準備中", coordinator_name=" 佐藤 ", domains=("全世代", "高齢")
            ),
        ),
    )
    assert changes == Changes(districts=True, councils=True)
    detail = service.get_district(district_id)
    assert (detail.row.name, detail.row.reading, detail.row.code) == ("井野町", "イノマチ", "A02")
    assert detail.row.version == 2
    assert detail.row.council_status == "準備中"
    assert detail.row.coordinator_name == "佐藤"
    assert detail.row.domains == ("高齢", "全世代")  # kept in the order of DOMAINS
    assert [r.name for r in service.list_districts()] == ["井野町"]

    changes = service.delete_district(district_id, detail.row.version)
    assert changes == Changes(districts=True, statistics=True, councils=True)
    assert service.list_districts() == []
    with pytest.raises(NotFoundError):
        service.get_district(district_id)
    # Soft delete: the row stays for synchronisation, marked as deleted.
    with ctx.db.read() as s:
        district = s.get(District, district_id)
        assert district is not None
        assert district.deleted_at is not None


def test_get_unknown_district_is_not_found(service: DistrictService) -> None:
    with pytest.raises(NotFoundError) as caught:
        service.get_district(uuid.uuid4())
    assert caught.value.message == "地区が見つかりません（削除されたか、別の人が削除しました）。"


def test_list_orders_by_block_then_gojuon_by_reading(service: DistrictService) -> None:
    # Block order is the chosen sort order, not the name or reading (きた < みなみ).
    north = new_block(service, "北ブロック", "きた", order=2)
    south = new_block(service, "南ブロック", "みなみ", order=1)
    new_district(service, north, "日野", "ひの")
    new_district(service, south, "けさ台", "けさだい")
    new_district(service, north, "馬場", "ババ")
    new_district(service, south, "ケーキ坂", "ケーキざか")
    new_district(service, south, "毛糸通", "ｹｲﾄどおり")
    # By code point the readings would sort けさだい, ケーキざか, ババ, ひの… and ｹｲﾄ last.
    rows = service.list_districts()
    assert [r.name for r in rows] == ["毛糸通", "ケーキ坂", "けさ台", "馬場", "日野"]
    assert [r.block_name for r in rows] == ["南ブロック"] * 3 + ["北ブロック"] * 2


def test_search_key_folds_kana_and_width(service: DistrictService) -> None:
    block = new_block(service, "南ブロック")
    new_district(service, block, "馬場", "ババ")
    new_district(service, block, "ケーキ坂", "ケーキザカ")
    new_district(service, block, "日野", "ひの", CouncilInput(coordinator_name="山田"))
    rows = service.list_districts()

    def found(query: str) -> list[str]:
        terms = search_terms(query)
        return [r.name for r in rows if matches(terms, r.search_key)]

    assert found("ばば") == ["馬場"]  # hiragana finds a katakana reading
    assert found("ｹｰｷ") == ["ケーキ坂"]  # half-width finds full-width
    assert found("けーきざか") == ["ケーキ坂"]
    assert found("山田") == ["日野"]  # the coordinator
    assert found("南 ひの") == ["日野"]  # every term, across fields
    assert found("南 ほげ") == []
    assert found("") == ["ケーキ坂", "馬場", "日野"]


def test_duplicate_name_is_refused(ctx: AppContext, service: DistrictService) -> None:
    block = new_block(service, "北ブロック")
    first = new_district(service, block, "井野", "いの")
    before = row_counts(ctx)
    with pytest.raises(UserError) as caught:
        new_district(service, block, " 井野 ", "いの")
    assert caught.value.message == "地区「井野」はすでに登録されています。別の名前にしてください。"
    assert row_counts(ctx) == before

    other = new_district(service, block, "中居", "なかい")
    version = service.get_district(other).row.version
    with pytest.raises(UserError, match="地区「井野」はすでに登録されています"):
        service.update_district(other, version, DistrictInput("井野", "いの", block))
    assert service.get_district(other).row.name == "中居"

    # Once the first is in the trash, its name is free again.
    service.delete_district(first)
    again = new_district(service, block, "井野", "いの")
    assert again != first
    assert [r.name for r in service.list_districts()] == ["井野", "中居"]


def test_stale_edit_is_refused_and_changes_nothing(service: DistrictService) -> None:
    block = new_block(service, "北ブロック")
    district_id = new_district(service, block, "井野", "いの")
    opened_by_a = service.get_district(district_id).row.version
    opened_by_b = service.get_district(district_id).row.version

    service.update_district(district_id, opened_by_a, DistrictInput("井野町", "いのまち", block))
    saved = service.get_district(district_id)

    with pytest.raises(StaleEditError) as caught:
        service.update_district(
            district_id,
            opened_by_b,
            DistrictInput("井野台", "いのだい", block, council=CouncilInput(status="準備中")),
        )
    assert caught.value.message.startswith("地区「井野町」は、開いている間に別の人が変更しました。")
    after = service.get_district(district_id)
    assert after == saved
    assert after.row.name == "井野町"
    assert after.row.council_status == "未設置"
    assert after.council is not None
    assert after.council.events == ()

    with pytest.raises(StaleEditError):
        service.delete_district(district_id, opened_by_b)
    assert [r.name for r in service.list_districts()] == ["井野町"]


def test_council_status_history(service: DistrictService) -> None:
    block = new_block(service, "北ブロック")
    district_id = new_district(
        service,
        block,
        "井野",
        "いの",
        CouncilInput(status="設置済", established_on=date(2023, 6, 1), domains=("高齢",)),
    )
    detail = service.get_district(district_id)
    assert detail.council is not None
    assert detail.council.events == (CouncilEvent(date(2023, 6, 1), "設置済", ""),)
    assert detail.row.established_on == date(2023, 6, 1)

    service.update_district(
        district_id,
        detail.row.version,
        DistrictInput(
            "井野",
            "いの",
            block,
            council=CouncilInput(
                status="休止",
                established_on=date(2023, 6, 1),
                status_changed_on=date(2024, 10, 1),
            ),
        ),
    )
    detail = service.get_district(district_id)
    assert detail.council is not None
    assert detail.council.status == "休止"
    assert detail.council.events == (
        CouncilEvent(date(2023, 6, 1), "設置済", ""),
        CouncilEvent(date(2024, 10, 1), "休止", ""),
    )

    # Saving again without a change of status adds no event.
    service.update_district(
        district_id,
        detail.row.version,
        DistrictInput(
            "井野",
            "いの",
            block,
            council=CouncilInput(status="休止", established_on=date(2023, 6, 1), note="再開を検討"),
        ),
    )
    detail = service.get_district(district_id)
    assert detail.council is not None
    assert len(detail.council.events) == 2
    assert detail.council.note == "再開を検討"


def test_status_change_without_a_date_is_dated_today(service: DistrictService) -> None:
    block = new_block(service, "北ブロック")
    before = date.today()
    district_id = new_district(service, block, "井野", "いの", CouncilInput(status="準備中"))
    after = date.today()
    detail = service.get_district(district_id)
    assert detail.council is not None
    (event,) = detail.council.events
    assert event.status == "準備中"
    assert before <= event.occurred_on <= after


@pytest.mark.parametrize(
    ("data", "details"),
    [
        (
            DistrictInput(
                "井野",
                "いの",
                uuid.UUID(int=0),
                council=CouncilInput(status="未設置", established_on=date(2023, 6, 1)),
            ),
            ["「設置日」: 未設置の協議体に設置日は入力できません"],
        ),
        (
            DistrictInput(
                "井野", "いの", uuid.UUID(int=0), council=CouncilInput(domains=("介護",))
            ),
            ["「対象分野」: 「介護」は選べません（高齢・障害・子ども・生活困窮・全世代）"],
        ),
        (
            DistrictInput("井野", "Ino", uuid.UUID(int=0)),
            ["「フリガナ」: ひらがなかカタカナで入力してください（「Ino」）"],
        ),
        (
            DistrictInput("井野", "井野", uuid.UUID(int=0)),
            ["「フリガナ」: ひらがなかカタカナで入力してください（「井野」）"],
        ),
        (
            DistrictInput("  ", "", uuid.UUID(int=0)),
            ["「地区名」: 必須です"],
        ),
        (
            DistrictInput("井野", "いの", uuid.UUID(int=0), council=CouncilInput(status="解散")),
            ["「協議体の状況」: 「解散」は選べません（未設置・準備中・設置済・休止）"],
        ),
    ],
)
def test_invalid_district_is_refused_and_nothing_written(
    ctx: AppContext, service: DistrictService, data: DistrictInput, details: list[str]
) -> None:
    data = replace(data, block_id=new_block(service, "北ブロック"))
    before = row_counts(ctx)
    with pytest.raises(UserError) as caught:
        service.create_district(data)
    assert caught.value.message == "地区を保存できません。次の項目を確認してください。"
    assert caught.value.details == details
    assert row_counts(ctx) == before


def test_future_established_date_is_refused(ctx: AppContext, service: DistrictService) -> None:
    block = new_block(service, "北ブロック")
    district_id = new_district(service, block, "井野", "いの")
    version = service.get_district(district_id).row.version
    before = row_counts(ctx)
    tomorrow = date.today() + timedelta(days=1)
    with pytest.raises(UserError) as caught:
        service.update_district(
            district_id,
            version,
            DistrictInput(
                "井野",
                "いの",
                block,
                council=CouncilInput(status="設置済", established_on=tomorrow),
            ),
        )
    (detail,) = caught.value.details
    assert detail.startswith("「設置日」: 未来の日付です（")
    assert row_counts(ctx) == before
    assert service.get_district(district_id).row.council_status == "未設置"


def test_district_in_an_unknown_block_is_refused(ctx: AppContext, service: DistrictService) -> None:
    before = row_counts(ctx)
    with pytest.raises(NotFoundError, match="ブロックが見つかりません"):
        service.create_district(DistrictInput("井野", "いの", uuid.uuid4()))
    assert row_counts(ctx) == before


# --- statistics -------------------------------------------------------------------------------


def test_set_statistics_replaces_the_same_fiscal_year(
    ctx: AppContext, service: DistrictService
) -> None:
    block = new_block(service, "北ブロック")
    district_id = new_district(service, block, "井野", "いの")
    changes = service.set_statistics(district_id, StatisticsInput(2024, 1000, 300, 150, 450, 80))
    assert changes == Changes(districts=True, statistics=True)
    service.set_statistics(district_id, StatisticsInput(2023, 1010, 290))
    service.set_statistics(
        district_id, StatisticsInput(2024, 1005, 310, 160, as_of=date(2024, 4, 1))
    )

    detail = service.get_district(district_id)
    assert [
        (s.fiscal_year, s.total_population, s.population_65_plus) for s in detail.statistics
    ] == [
        (2023, 1010, 290),
        (2024, 1005, 310),
    ]
    latest = detail.latest
    assert latest is not None
    assert latest.population_75_plus == 160
    assert latest.households is None  # replaced, not merged
    assert latest.as_of == date(2024, 4, 1)
    assert latest.ageing_rate == 310 * 100.0 / 1005
    assert detail.row.latest_fiscal_year == 2024
    assert (detail.row.total_population, detail.row.population_65_plus) == (1005, 310)
    assert service.fiscal_years() == [2023, 2024]
    with ctx.db.read() as s:
        rows = s.scalar(
            select(func.count())
            .select_from(DistrictStatistics)
            .where(DistrictStatistics.district_id == district_id)
        )
    assert rows == 2


@pytest.mark.parametrize(
    ("data", "details"),
    [
        (
            StatisticsInput(2024, 1000, 1200),
            ["「65歳以上」: 総人口（1,000）より多くなっています（1,200）"],
        ),
        (
            StatisticsInput(2024, 1000, 300, 301),
            ["「75歳以上」: 65歳以上（300）より多くなっています（301）"],
        ),
        (StatisticsInput(2024, -1, 0), ["「総人口」: 負の数は入力できません（-1）"]),
        (StatisticsInput(1800, 1000, 300), ["「年度」: 範囲外です（1800）"]),
    ],
)
def test_invalid_statistics_are_refused_and_nothing_written(
    ctx: AppContext, service: DistrictService, data: StatisticsInput, details: list[str]
) -> None:
    block = new_block(service, "北ブロック")
    district_id = new_district(service, block, "井野", "いの")
    before = row_counts(ctx)
    with pytest.raises(UserError) as caught:
        service.set_statistics(district_id, data)
    assert caught.value.message == "人口統計を保存できません。次の項目を確認してください。"
    assert caught.value.details == details
    assert row_counts(ctx) == before


def test_delete_statistics(service: DistrictService) -> None:
    block = new_block(service, "北ブロック")
    district_id = new_district(service, block, "井野", "いの")
    service.set_statistics(district_id, StatisticsInput(2023, 1000, 290))
    service.set_statistics(district_id, StatisticsInput(2024, 1000, 300))
    latest = service.get_district(district_id).latest
    assert latest is not None
    service.delete_statistics(latest.id)
    detail = service.get_district(district_id)
    assert [s.fiscal_year for s in detail.statistics] == [2023]
    assert detail.row.latest_fiscal_year == 2023
    # The year can be entered again after its figures went to the trash.
    service.set_statistics(district_id, StatisticsInput(2024, 1000, 310))
    assert [s.fiscal_year for s in service.get_district(district_id).statistics] == [2023, 2024]


def test_city_figures_are_weighted_by_population(service: DistrictService) -> None:
    block = new_block(service, "北ブロック")
    small = new_district(service, block, "井野", "いの")
    large = new_district(service, block, "中居", "なかい")
    service.set_statistics(small, StatisticsInput(2024, 1000, 300, 120, 400, 50))  # 30%
    service.set_statistics(large, StatisticsInput(2024, 3000, 600, 280, 1300, 90))  # 20%
    service.set_statistics(large, StatisticsInput(2023, 2900, 580))

    city = service.city_figures()
    assert list(city) == [2023, 2024]
    fy2024 = city[2024]
    assert (fy2024.total_population, fy2024.population_65_plus) == (4000, 900)
    assert (fy2024.population_75_plus, fy2024.households) == (400, 1700)
    assert fy2024.elderly_single_households == 140
    assert fy2024.ageing_rate == 22.5  # Σ65歳以上 ÷ Σ総人口, not (30 + 20) / 2 = 25
    assert fy2024.late_elderly_rate == 10.0
    assert (city[2023].total_population, city[2023].population_65_plus) == (2900, 580)


def test_city_figures_leave_unreported_counts_unknown(service: DistrictService) -> None:
    # One district gave no 75歳以上 / 世帯数: adding the other's counts alone would print a city
    # 後期高齢化率 of 120 ÷ 4000 = 3.0% although nobody knows it.
    block = new_block(service, "北ブロック")
    reported = new_district(service, block, "井野", "いの")
    silent = new_district(service, block, "中居", "なかい")
    service.set_statistics(reported, StatisticsInput(2024, 1000, 300, 120, 400, 50))
    service.set_statistics(silent, StatisticsInput(2024, 3000, 600))
    fy2024 = service.city_figures()[2024]
    assert fy2024.ageing_rate == 22.5
    assert fy2024.population_75_plus is None
    assert fy2024.late_elderly_rate is None
    assert fy2024.households is None
    assert fy2024.elderly_single_households is None


def test_deleted_districts_leave_list_and_city_figures(service: DistrictService) -> None:
    block = new_block(service, "北ブロック")
    kept = new_district(service, block, "井野", "いの")
    gone = new_district(service, block, "中居", "なかい")
    service.set_statistics(kept, StatisticsInput(2024, 1000, 300))
    service.set_statistics(gone, StatisticsInput(2024, 3000, 600))
    service.set_statistics(gone, StatisticsInput(2022, 3000, 600))
    service.delete_district(gone)

    assert [r.name for r in service.list_districts()] == ["井野"]
    city = service.city_figures()
    assert list(city) == [2024]
    assert (city[2024].total_population, city[2024].population_65_plus) == (1000, 300)
    assert city[2024].ageing_rate == 30.0
    assert service.fiscal_years() == [2024]
    assert [b.district_count for b in service.list_blocks()] == [1]


# --- find_district (the command line) ---------------------------------------------------------


def test_find_district(service: DistrictService) -> None:
    block = new_block(service, "北ブロック")
    ino = new_district(service, block, "井野", "いの")
    nakai = new_district(service, block, "中居", "なかい")

    assert service.find_district("井野").id == ino
    assert service.find_district(" 中居 ").id == nakai
    assert service.find_district(str(ino)).id == ino
    assert service.find_district(str(ino).upper()).id == ino
    assert service.find_district(ino.hex).id == ino
    assert service.find_district(str(nakai)[:8]).id == nakai
    with pytest.raises(NotFoundError) as caught:
        service.find_district("井")
    assert caught.value.message == (
        "地区「井」が見つかりません（ID か正確な地区名を指定してください）。"
    )
    with pytest.raises(NotFoundError):
        service.find_district(str(ino)[:7])  # too short to be an ID
    with pytest.raises(NotFoundError):
        service.find_district(str(uuid.uuid4()))
    service.delete_district(ino)
    with pytest.raises(NotFoundError):
        service.find_district("井野")
    with pytest.raises(NotFoundError):
        service.find_district(str(ino))


def test_find_district_refuses_an_ambiguous_prefix(
    ctx: AppContext, service: DistrictService
) -> None:
    block = new_block(service, "北ブロック")
    first = uuid.UUID("abcdef01-0000-4000-8000-000000000001")
    second = uuid.UUID("abcdef01-0000-4000-8000-000000000002")
    with ctx.db.write() as s:
        s.add(District(id=first, block_id=block, name="井野", reading="いの"))
        s.add(District(id=second, block_id=block, name="中居", reading="なかい"))
    with pytest.raises(UserError) as caught:
        service.find_district("abcdef01")
    assert not isinstance(caught.value, NotFoundError)
    assert caught.value.message == (
        "ID「abcdef01」に当てはまる地区が複数あります。もっと長く指定してください。"
    )
    assert service.find_district(str(second)).id == second


# --- blocks -----------------------------------------------------------------------------------


def test_blocks_create_rename_delete(service: DistrictService) -> None:
    first, changes = service.create_block(" 北ブロック ", "きた")
    assert changes == Changes(districts=True)
    assert (first.name, first.reading, first.sort_order) == ("北ブロック", "きた", 1)
    second, _ = service.create_block("南ブロック", "みなみ")
    assert second.sort_order == 2
    third, _ = service.create_block("東ブロック", "ひがし", 0)
    assert [b.name for b in service.list_blocks()] == ["東ブロック", "北ブロック", "南ブロック"]

    with pytest.raises(UserError) as caught:
        service.create_block("北ブロック")
    assert caught.value.message == "ブロック「北ブロック」はすでにあります。"
    with pytest.raises(UserError, match="ブロック名を入力してください"):
        service.create_block("  ")
    with pytest.raises(UserError, match="ブロックのフリガナはひらがなかカタカナ"):
        service.create_block("西ブロック", "nishi")

    service.rename_block(second.id, "南部ブロック", "なんぶ")
    with pytest.raises(UserError, match="ブロック「北ブロック」はすでにあります"):
        service.rename_block(second.id, "北ブロック", "きた")
    blocks = {b.id: b for b in service.list_blocks()}
    assert (blocks[second.id].name, blocks[second.id].reading) == ("南部ブロック", "なんぶ")

    district_id = new_district(service, first.id, "井野", "いの")
    with pytest.raises(UserError) as caught:
        service.delete_block(first.id)
    assert caught.value.message == (
        "ブロック「北ブロック」には地区があるため削除できません。先に地区を移してください。"
    )
    assert [b.district_count for b in service.list_blocks()] == [0, 1, 0]

    service.delete_block(third.id)
    assert [b.name for b in service.list_blocks()] == ["北ブロック", "南部ブロック"]
    with pytest.raises(NotFoundError, match="ブロックが見つかりません"):
        service.rename_block(third.id, "東ブロック", "ひがし")

    # Moving the district out frees the block.
    version = service.get_district(district_id).row.version
    service.update_district(district_id, version, DistrictInput("井野", "いの", second.id))
    service.delete_block(first.id)
    assert [b.name for b in service.list_blocks()] == ["南部ブロック"]
    # The deleted name can be used again.
    again, _ = service.create_block("北ブロック")
    assert again.id != first.id


def test_rename_block_checks_the_reading_as_create_does(
    ctx: AppContext, service: DistrictService
) -> None:
    block, _ = service.create_block("北ブロック", "きた")
    with pytest.raises(UserError, match="ブロックのフリガナはひらがなかカタカナ"):
        service.rename_block(block.id, "北ブロック", "kita")
    assert [b.reading for b in service.list_blocks()] == ["きた"]
