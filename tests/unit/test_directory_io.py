"""People, organisations and activities as spreadsheets: all-or-nothing import and export."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from shienapp import config
from shienapp.core.context import AppContext
from shienapp.core.directory import OrganisationInput, PersonInput, ResourceInput
from shienapp.core.directory_io import (
    CARE_NOTICE,
    COLUMNS,
    CONSENT_FLAG,
    CONSENT_HEADER,
    KINDS,
    export_records,
    import_records,
    write_template,
)
from shienapp.core.districts import DistrictInput
from shienapp.core.errors import ImportRejected, UserError
from shienapp.core.schedule import parse_slot
from shienapp.io.tabular import write_csv


@pytest.fixture
def city(ctx: AppContext) -> dict[str, uuid.UUID]:
    """Two districts, an operator, a volunteer with everything filled in, and an activity."""
    ctx.districts.create_block("東ブロック", "ひがし")
    block = ctx.districts.list_blocks()[0].id
    nakai, _ = ctx.districts.create_district(DistrictInput("中居", "なかい", block))
    yawata, _ = ctx.districts.create_district(DistrictInput("八幡", "やわた", block))
    operator, _ = ctx.directory.create_organisation(
        OrganisationInput(name="中居地区社協", reading="なかいちくしゃきょう", kind="社協")
    )
    helper, _ = ctx.directory.create_person(
        PersonInput(
            name="石川 和子",
            reading="いしかわ かずこ",
            district_id=nakai,
            postal_code="999-0001",
            phone="099-123-4567",
            roles=("住民", "担い手"),
            consent_on=date(2024, 4, 1),
            consent_scope="名簿・連絡",
            volunteer_status="活動中",
            skills=("送迎", "話し相手"),
            availability=(parse_slot("毎週火・木曜 午前"), parse_slot("第2・第4水曜 13:30～15:00")),
            covered_district_ids=(nakai, yawata),
            trainings=(
                ("認知症サポーター養成講座", date(2023, 6, 5)),
                ("傾聴ボランティア講座", None),
            ),
        )
    )
    salon, _ = ctx.directory.create_resource(
        ResourceInput(
            name="中居いきいきサロン",
            reading="なかいいきいきさろん",
            category="居場所・サロン",
            target_groups=("高齢者", "誰でも"),
            district_id=nakai,
            venue="中居公民館",
            schedule=(parse_slot("第3水曜 午後"),),
            fee="100円",
            capacity=20,
            operator_id=operator,
            contact_person_id=helper,
            public_contact="社協 099-900-1234",
            started_on=date(2019, 5, 1),
            helper_ids=(helper,),
        )
    )
    return {
        "nakai": nakai,
        "yawata": yawata,
        "operator": operator,
        "helper": helper,
        "salon": salon,
    }


def _counts(ctx: AppContext) -> tuple[int, int, int]:
    d = ctx.directory
    return len(d.list_people()), len(d.list_organisations()), len(d.list_resources())


def _xlsx(path: Path, headers: list[str], rows: list[list[Any]]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


# --- round trips --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(KINDS))
def test_an_export_imports_back_unchanged(
    ctx: AppContext, city: dict[str, uuid.UUID], tmp_path: Path, kind: str
) -> None:
    path = tmp_path / f"{kind}.xlsx"
    before = (ctx.directory.list_people(), ctx.directory.list_resources())
    written = export_records(ctx.db, kind, path)
    report = import_records(ctx.db, kind, path)
    assert (report.created, report.updated, report.unchanged) == (0, 0, written)
    assert (ctx.directory.list_people(), ctx.directory.list_resources()) == before


def test_exported_cells_read_as_people_write_them(
    ctx: AppContext, city: dict[str, uuid.UUID], tmp_path: Path
) -> None:
    path = tmp_path / "people.xlsx"
    export_records(ctx.db, "people", path)
    rows = list(load_workbook(path).worksheets[0].iter_rows(values_only=True))
    person = dict(zip(rows[0], rows[1], strict=True))
    assert person["活動できる日時"] == "毎週 火・木曜 09:00～12:00、第2・第4 水曜 13:30～15:00"
    assert person["担当地区"] == "中居、八幡"
    assert person["研修"] == "認知症サポーター養成講座（2023/06/05）、傾聴ボランティア講座"
    assert person["電話"] == "099-123-4567"

    export_records(ctx.db, "resources", tmp_path / "resources.xlsx")
    rows = list(
        load_workbook(tmp_path / "resources.xlsx").worksheets[0].iter_rows(values_only=True)
    )
    salon = dict(zip(rows[0], rows[1], strict=True))
    assert (salon["運営団体"], salon["担当者"], salon["協力者"]) == (
        "中居地区社協",
        "石川 和子",
        "石川 和子",
    )
    assert salon["日時"] == "第3 水曜 13:00～17:00"


def test_people_exports_are_marked_handle_with_care_and_flag_missing_consent(
    ctx: AppContext, city: dict[str, uuid.UUID], tmp_path: Path
) -> None:
    ctx.directory.create_person(
        PersonInput(name="青木 一郎", reading="あおき いちろう", phone="099-222-3333")
    )
    ctx.directory.create_person(PersonInput(name="上田 清", reading="うえだ きよし"))  # no contact
    path = tmp_path / "people.xlsx"
    assert export_records(ctx.db, "people", path) == 3
    book = load_workbook(path)
    data, notice = book.worksheets
    assert "取扱注意" in data.title and notice.title == "取扱注意"
    assert data.oddHeader.center.text == CARE_NOTICE
    rows = list(data.iter_rows(values_only=True))
    assert rows[0][-1] == CONSENT_HEADER
    flags = {r[1]: r[-1] for r in rows[1:]}
    assert flags == {"青木 一郎": CONSENT_FLAG, "石川 和子": None, "上田 清": None}
    assert "1 人" in str(notice["A4"].value)
    # The flag column is the export's own: reading the file back does not call it unused.
    assert import_records(ctx.db, "people", path).ignored_columns == ()


def test_homonyms_are_written_by_id_so_the_file_still_imports(
    ctx: AppContext, city: dict[str, uuid.UUID], tmp_path: Path
) -> None:
    twin, _ = ctx.directory.create_person(PersonInput(name="石川 和子", district_id=city["yawata"]))
    path = tmp_path / "resources.xlsx"
    export_records(ctx.db, "resources", path)
    rows = list(load_workbook(path).worksheets[0].iter_rows(values_only=True))
    assert dict(zip(rows[0], rows[1], strict=True))["担当者"] == str(city["helper"])
    assert import_records(ctx.db, "resources", path).unchanged == 1
    assert ctx.directory.get_resource(city["salon"]).contact_person_id == city["helper"]
    assert twin != city["helper"]


# --- new rows and updates -----------------------------------------------------------------------


def test_new_rows_from_a_csv_are_added_and_new_words_join_the_lists(
    ctx: AppContext, city: dict[str, uuid.UUID], tmp_path: Path
) -> None:
    path = tmp_path / "new.csv"
    headers = [c.header for c in COLUMNS["people"]]
    row = dict.fromkeys(headers, "")
    row |= {
        "氏名": "ｱｵｷ 一郎",
        "フリガナ": "あおき いちろう",
        "地区": "八幡",
        "郵便番号": "０９９－０００２".replace("－", "-"),
        "役割": "担い手・民生委員",
        "できること": "ごみ出し、将棋の相手",
        "活動できる日時": "毎週木曜 8:00～9:00\n最終金曜 夜",
        "研修": "傾聴ボランティア講座（令和6年5月1日）",
    }
    write_csv(path, headers, [list(row.values())])
    report = import_records(ctx.db, "people", path)
    assert (report.created, report.updated) == (1, 0)
    person = ctx.directory.find_person("ｱｵｷ 一郎")
    assert person.roles == ("担い手", "民生委員")
    assert person.volunteer_status == "活動中"  # a 担い手 without a state is active
    assert [s.describe() for s in person.availability] == [
        "毎週 木曜 08:00～09:00",
        "最終 金曜 18:00～21:00",
    ]
    assert person.trainings == (("傾聴ボランティア講座", date(2024, 5, 1)),)
    assert "将棋の相手" in ctx.directory.terms("skill")


def test_an_id_row_updates_and_blank_cells_keep_what_is_stored(
    ctx: AppContext, city: dict[str, uuid.UUID], tmp_path: Path
) -> None:
    path = _xlsx(
        tmp_path / "u.xlsx",
        ["ID", "名称", "定員", "会場"],
        [[str(city["salon"]), "中居いきいきサロン", 25, None]],
    )
    report = import_records(ctx.db, "resources", path)
    assert (report.created, report.updated) == (0, 1)
    salon = ctx.directory.get_resource(city["salon"])
    assert (salon.capacity, salon.venue, salon.fee, salon.version) == (25, "中居公民館", "100円", 2)


def test_the_template_example_row_is_skipped(ctx: AppContext, tmp_path: Path) -> None:
    for kind in KINDS:
        for suffix in (".xlsx", ".csv"):
            path = tmp_path / f"{kind}{suffix}"
            write_template(kind, path)
            report = import_records(ctx.db, kind, path)
            assert (report.created, report.updated) == (0, 0)
    assert _counts(ctx) == (0, 0, 0)


# --- bad rows change nothing ----------------------------------------------------------------------


def test_every_bad_row_is_reported_by_row_and_column_and_nothing_is_saved(
    ctx: AppContext, city: dict[str, uuid.UUID], tmp_path: Path
) -> None:
    path = _xlsx(
        tmp_path / "bad.xlsx",
        ["氏名", "フリガナ", "地区", "電話", "役割", "同意日", "備考"],
        [
            ["良い 人", "よい ひと", "中居", "099-111-2222", "住民", "2024/4/1", ""],  # row 2: fine
            ["", "", "", "", "", "", "名前がない"],  # row 3
            ["佐藤 花子", "sato", "中居", "", "", "", ""],  # row 4: reading
            ["鈴木 次郎", "", "存在しない地区", "", "", "", ""],  # row 5: district
            ["高橋 三郎", "", "", 991234567, "", "", ""],  # row 6: phone typed as a number
            ["田中 四郎", "", "", "", "町長", "", ""],  # row 7: role
            ["伊藤 五郎", "", "", "", "", "2024/13/40", ""],  # row 8: date
            ["石川 和子", "", "中居", "", "", "", ""],  # row 9: already registered
            ["良い 人", "よい ひと", "中居", "", "", "", ""],  # row 10: twice in the file
        ],
    )
    before = _counts(ctx)
    with pytest.raises(ImportRejected) as caught:
        import_records(ctx.db, "people", path)
    found = {(p.row, p.column) for p in caught.value.problems}
    assert found == {
        (3, "氏名"),
        (4, "フリガナ"),
        (5, "地区"),
        (6, "電話"),
        (7, "役割"),
        (8, "同意日"),
        (9, "氏名"),
        (10, "氏名"),
    }
    text = caught.value.full_text()
    assert "データは変更していません" in text
    assert "「存在しない地区」は登録されていません" in text
    assert "2 行目と重複" in text
    assert "すでに登録されています" in text
    assert _counts(ctx) == before


def test_unknown_and_repeated_ids_and_unknown_references_are_refused(
    ctx: AppContext, city: dict[str, uuid.UUID], tmp_path: Path
) -> None:
    salon = str(city["salon"])
    path = _xlsx(
        tmp_path / "bad.xlsx",
        ["ID", "名称", "運営団体", "担当者", "対象", "状態"],
        [
            [str(uuid.uuid4()), "消えた活動", "", "", "", ""],
            [salon, "中居いきいきサロン", "", "", "", ""],
            [salon, "中居いきいきサロン", "", "", "", ""],
            ["", "新しい活動", "ない団体", "ない人", "大人", "再開"],
        ],
    )
    with pytest.raises(ImportRejected) as caught:
        import_records(ctx.db, "resources", path)
    assert [(p.row, p.column) for p in caught.value.problems] == [
        (2, "ID"),
        (4, "ID"),
        (5, "運営団体"),
        (5, "担当者"),
        (5, "対象"),
        (5, "状態"),
    ]
    assert ctx.directory.get_resource(city["salon"]).version == 1


def test_a_file_without_the_name_column_is_refused_before_reading_rows(
    ctx: AppContext, tmp_path: Path
) -> None:
    path = _xlsx(tmp_path / "x.xlsx", ["団体", "電話"], [["何か", "099-000-0000"]])
    with pytest.raises(ImportRejected, match="1 件の問題") as caught:
        import_records(ctx.db, "organizations", path)
    assert "必要な列「名称」がありません" in caught.value.full_text()


def test_unknown_kinds_are_refused(ctx: AppContext, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="取り込み・書き出しできる種類ではありません"):
        import_records(ctx.db, "needs", tmp_path / "x.xlsx")


# --- the shipped templates ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(KINDS))
def test_shipped_templates_are_the_current_ones(kind: str, tmp_path: Path) -> None:
    for suffix in (".xlsx", ".csv"):
        shipped = config.template_path(f"{kind}_template{suffix}")
        fresh = tmp_path / shipped.name
        write_template(kind, fresh)
        if suffix == ".csv":
            assert shipped.read_bytes() == fresh.read_bytes()
        else:  # regenerate with write_template() when the format changes
            values = [
                [list(r) for r in ws.iter_rows(values_only=True)]
                for ws in load_workbook(shipped).worksheets
            ]
            assert values == [
                [list(r) for r in ws.iter_rows(values_only=True)]
                for ws in load_workbook(fresh).worksheets
            ]
            assert values[0][0] == [c.header for c in COLUMNS[kind]]


def test_hsds_export_carries_schedules_and_no_private_person(
    ctx: AppContext, city: dict[str, uuid.UUID], tmp_path: Path
) -> None:
    import json

    from shienapp.core.directory_io import export_hsds

    path = tmp_path / "hsds.json"
    assert export_hsds(ctx.db, path) == 1
    text = path.read_text("utf-8")
    document = json.loads(text)
    [service] = document["services"]
    [schedule] = service["schedules"]
    assert (schedule["freq"], schedule["byday"]) == ("MONTHLY", "3WE")
    assert (schedule["opens_at"], schedule["closes_at"]) == ("13:00", "17:00")
    assert service["status"] == "active" and service["organization_id"] == str(city["operator"])
    assert [o["name"] for o in document["organizations"]] == ["中居地区社協"]
    assert "石川" not in text and "099-123-4567" not in text  # the contact person stays home
    assert "社協 099-900-1234" in text
