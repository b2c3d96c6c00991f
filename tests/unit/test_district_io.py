"""The district list as a spreadsheet: import (all or nothing), export, and the shipped template.

Every rejected import must leave the database exactly as it was and say, in Japanese, which row,
which column and why.
"""

from __future__ import annotations

import csv
import io
import tempfile
import uuid
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from shienapp import config
from shienapp.core.context import AppContext
from shienapp.core.district_io import (
    BLOCK_SHEET,
    CANCELLED_MESSAGE,
    EXAMPLE_NOTE,
    GUIDE_SHEET,
    HEADERS,
    REGISTRY_SHEET,
    TEMPLATE_CSV_NAME,
    TEMPLATE_NAME,
    ImportCancelled,
    ImportReport,
    export_districts,
    import_districts,
    write_template,
)
from shienapp.core.districts import CouncilInput, DistrictInput, StatisticsInput
from shienapp.core.errors import ImportRejected, UserError
from shienapp.storage.models import (
    Block,
    Council,
    CouncilStatusEvent,
    District,
    DistrictStatistics,
)

# Column keys in the order of the file's headers (HEADERS).
KEYS = (
    "block",
    "code",
    "name",
    "reading",
    "status",
    "established_on",
    "coordinator",
    "domains",
    "fiscal_year",
    "as_of",
    "total",
    "p65",
    "p75",
    "households",
    "single",
    "note",
)
assert len(KEYS) == len(HEADERS)


# --- building files ---------------------------------------------------------------------------


def line(**values: Any) -> list[Any]:
    """One data row in HEADERS order; keys are the column keys above."""
    unknown = set(values) - set(KEYS)
    assert not unknown, unknown
    return [values.get(key, "") for key in KEYS]


def good_row(**overrides: Any) -> list[Any]:
    values: dict[str, Any] = {
        "block": "北ブロック",
        "code": "010",
        "name": "日野",
        "reading": "ひの",
        "status": "設置済",
        "established_on": "2020/4/1",
        "coordinator": "佐藤",
        "domains": "高齢",
        "fiscal_year": "2024",
        "as_of": "2024/4/1",
        "total": "3000",
        "p65": "900",
        "p75": "400",
        "households": "1400",
        "single": "200",
        "note": "",
    }
    values.update(overrides)
    return line(**values)


def write_csv_file(
    path: Path,
    rows: list[list[Any]],
    *,
    headers: list[str] | tuple[str, ...] = HEADERS,
    encoding: str = "utf-8",
    bom: bool = False,
) -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    data = buffer.getvalue().encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def write_xlsx_file(
    path: Path,
    rows: list[list[Any]],
    *,
    headers: list[str] | tuple[str, ...] = HEADERS,
) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(headers))
    for row in rows:
        sheet.append([None if value == "" else value for value in row])
    workbook.save(path)
    return path


# --- looking at the database ------------------------------------------------------------------


def row_counts(ctx: AppContext) -> dict[str, int]:
    """Every row of the registry tables, soft-deleted ones too."""
    with ctx.db.read() as s:
        return {
            model.__tablename__: s.scalar(select(func.count()).select_from(model)) or 0
            for model in (Block, District, DistrictStatistics, Council, CouncilStatusEvent)
        }


def registry(ctx: AppContext, *, versions: bool = False) -> dict[str, Any]:
    """What a user sees of the registry: blocks, districts, councils and statistics."""
    service = ctx.districts
    districts = []
    for row in service.list_districts():
        detail = service.get_district(row.id)
        council = detail.council
        districts.append(
            {
                "name": row.name,
                "reading": row.reading,
                "code": row.code,
                "block": row.block_name,
                "note": detail.note,
                "council": (
                    (
                        council.status,
                        council.established_on,
                        council.coordinator_name,
                        council.domains,
                    )
                    if council is not None
                    else None
                ),
                "statistics": [
                    (
                        s.fiscal_year,
                        s.as_of,
                        s.total_population,
                        s.population_65_plus,
                        s.population_75_plus,
                        s.households,
                        s.elderly_single_households,
                    )
                    for s in detail.statistics
                ],
                **({"version": row.version} if versions else {}),
            }
        )
    blocks = [(b.name, b.reading, b.sort_order) for b in service.list_blocks()]
    return {"blocks": blocks, "districts": districts}


def state(ctx: AppContext) -> tuple[dict[str, Any], dict[str, int]]:
    return registry(ctx, versions=True), row_counts(ctx)


@pytest.fixture
def seeded(ctx: AppContext) -> AppContext:
    """A registry with one block, one district with a council and one year of statistics."""
    service = ctx.districts
    block, _ = service.create_block("北ブロック", "きた", None)
    district_id, _ = service.create_district(
        DistrictInput(
            "井野",
            "いの",
            block.id,
            code="001",
            note="駅の北側",
            council=CouncilInput(
                status="設置済",
                established_on=date(2019, 6, 1),
                coordinator_name="田中",
                domains=("高齢",),
            ),
        )
    )
    service.set_statistics(
        district_id,
        StatisticsInput(2023, 4000, 1200, 600, 1800, 250, as_of=date(2023, 4, 1)),
    )
    return ctx


def rejected(ctx: AppContext, path: Path, *, create_blocks: bool = False) -> UserError:
    """Import ``path``, expect a refusal, and check that nothing in the database changed."""
    before = state(ctx)
    with pytest.raises(UserError) as caught:
        import_districts(ctx.db, path, create_blocks=create_blocks)
    assert state(ctx) == before
    return caught.value


def problem_texts(error: UserError) -> list[str]:
    assert isinstance(error, ImportRejected)
    assert "データは変更していません" in error.message
    assert error.details == [str(p) for p in error.problems]
    return error.details


def district(ctx: AppContext, name: str) -> dict[str, Any]:
    found = [d for d in registry(ctx)["districts"] if d["name"] == name]
    assert len(found) == 1, [d["name"] for d in registry(ctx)["districts"]]
    return found[0]


# --- 1. columns -------------------------------------------------------------------------------


def test_missing_required_column_is_named(seeded: AppContext, tmp_path: Path) -> None:
    headers = [h for h in HEADERS if h != "地区名"]
    rows = [[v for h, v in zip(HEADERS, good_row(), strict=True) if h != "地区名"]]
    error = rejected(seeded, write_csv_file(tmp_path / "no_name.csv", rows, headers=headers))
    [problem] = problem_texts(error)
    assert problem.startswith("1行目: ")
    assert "必要な列「地区名」がありません" in problem
    assert "見つかった列: 「ブロック」「地区コード」" in problem


def test_a_file_with_unrelated_headers_names_both_missing_columns(
    seeded: AppContext, tmp_path: Path
) -> None:
    path = write_xlsx_file(tmp_path / "other.xlsx", [["a", 1]], headers=["氏名", "電話番号"])
    [problem] = problem_texts(rejected(seeded, path))
    assert "必要な列「ブロック」「地区名」がありません" in problem
    assert "「氏名」「電話番号」" in problem


def test_two_columns_for_the_same_field_are_refused(seeded: AppContext, tmp_path: Path) -> None:
    headers = [*HEADERS, "人口"]  # an alias of 総人口
    path = write_csv_file(tmp_path / "dup.csv", [[*good_row(), "5"]], headers=headers)
    [problem] = problem_texts(rejected(seeded, path))
    assert "「総人口」と「人口」は同じ項目（総人口）の列です" in problem


def test_unknown_columns_are_reported_as_unused(ctx: AppContext, tmp_path: Path) -> None:
    headers = [*HEADERS, "高齢化率", "電話番号"]
    path = write_csv_file(
        tmp_path / "extra.csv", [[*good_row(), "30%", "03-1234"]], headers=headers
    )
    report = import_districts(ctx.db, path, create_blocks=True)
    assert report.ignored_columns == ("電話番号",)  # 高齢化率 is ours: silently skipped
    assert "使わなかった列: 「電話番号」" in report.summary()


# --- 2. full-width digits ---------------------------------------------------------------------


def test_full_width_digits_are_read_as_numbers(ctx: AppContext, tmp_path: Path) -> None:
    row = good_row(
        total="１２３４",
        p65="３２１",
        p75="１００",
        households="１，０００",  # full-width comma as thousands separator
        single=" ５０ ",
        fiscal_year="２０２４",
        as_of="２０２４／４／１",
        code="０１２",
    )
    import_districts(ctx.db, write_csv_file(tmp_path / "zenkaku.csv", [row]), create_blocks=True)
    found = district(ctx, "日野")
    assert found["statistics"] == [(2024, date(2024, 4, 1), 1234, 321, 100, 1000, 50)]
    assert found["code"] == "０１２"  # a code is text: kept as typed, not converted


@pytest.mark.parametrize(
    ("value", "shown"),
    [("約1200", "約1200"), ("12.5", "12.5"), ("１２００人", "１２００人"), ("1,20", "1,20")],
)
def test_a_number_that_is_not_an_integer_is_named(
    seeded: AppContext, tmp_path: Path, value: str, shown: str
) -> None:
    path = write_csv_file(tmp_path / "bad.csv", [good_row(total=value)])
    [problem] = problem_texts(rejected(seeded, path, create_blocks=True))
    assert problem == f"2行目「総人口」列: 数値（整数）で入力してください（「{shown}」）"


# --- 3, 4. figures that cannot be -------------------------------------------------------------


@pytest.mark.parametrize("value", ["-5", "－５", "\u22125"])
def test_negative_population_is_refused_with_row_and_column(
    seeded: AppContext, tmp_path: Path, value: str
) -> None:
    rows = [good_row(), good_row(name="月見", reading="つきみ", p75=value)]
    path = write_csv_file(tmp_path / "neg.csv", rows)
    [problem] = problem_texts(rejected(seeded, path))
    assert problem == "3行目「75歳以上」列: 負の数は入力できません（-5）"


def test_negative_population_in_an_xlsx_number_cell(seeded: AppContext, tmp_path: Path) -> None:
    path = write_xlsx_file(tmp_path / "neg.xlsx", [good_row(total=-3000, p65=900)])
    problems = problem_texts(rejected(seeded, path))
    assert problems == ["2行目「総人口」列: 負の数は入力できません（-3000）"]


def test_more_over_65_than_people_is_refused(seeded: AppContext, tmp_path: Path) -> None:
    path = write_csv_file(tmp_path / "p65.csv", [good_row(total="1000", p65="1,001", p75="")])
    problems = problem_texts(rejected(seeded, path))
    assert problems == ["2行目「65歳以上」列: 総人口（1,000）より多くなっています（1,001）"]


def test_every_problem_is_listed_in_row_then_column_order(
    seeded: AppContext, tmp_path: Path
) -> None:
    rows = [
        good_row(p65="5000", single="20"),
        good_row(name="月見", reading="つきみ", total="x", status="たぶん"),
    ]
    problems = problem_texts(rejected(seeded, write_csv_file(tmp_path / "many.csv", rows)))
    assert problems == [
        "2行目「65歳以上」列: 総人口（3,000）より多くなっています（5,000）",
        "3行目「協議体の状況」列: 「たぶん」は選べません（未設置・準備中・設置済・休止）",
        "3行目「総人口」列: 数値（整数）で入力してください（「x」）",
    ]


# --- 5. blocks --------------------------------------------------------------------------------


def test_unknown_block_is_refused_without_create_blocks(seeded: AppContext, tmp_path: Path) -> None:
    rows = [good_row(block="南ブロック"), good_row(block="南ブロック", name="月見", reading="")]
    path = write_csv_file(tmp_path / "south.csv", rows)
    problems = problem_texts(rejected(seeded, path))
    assert len(problems) == 2
    assert problems[0].startswith("2行目「ブロック」列: ブロック「南ブロック」は登録されていません")
    assert "登録済み: 北ブロック" in problems[0]
    assert "--create-blocks" in problems[0]
    assert problems[1] == (
        "3行目「ブロック」列: ブロック「南ブロック」は登録されていません（2行目と同じ）"
    )


def test_unknown_block_is_created_with_create_blocks(seeded: AppContext, tmp_path: Path) -> None:
    counts = row_counts(seeded)
    path = write_csv_file(tmp_path / "south.csv", [good_row(block="南ブロック")])
    report = import_districts(seeded.db, path, create_blocks=True)
    assert report == ImportReport(1, 0, 1, 0, 1, source="south.csv")
    assert [b[0] for b in registry(seeded)["blocks"]] == ["北ブロック", "南ブロック"]
    assert district(seeded, "日野")["block"] == "南ブロック"
    assert district(seeded, "井野")["block"] == "北ブロック"
    assert row_counts(seeded)["blocks"] == counts["blocks"] + 1


def test_a_block_differing_only_in_width_is_not_created_twice(
    seeded: AppContext, tmp_path: Path
) -> None:
    path = write_csv_file(tmp_path / "wide.csv", [good_row(block="北ﾌﾞﾛｯｸ")])
    [problem] = problem_texts(rejected(seeded, path, create_blocks=True))
    assert problem.startswith("2行目「ブロック」列: ブロック「北ブロック」と、全角・半角")


# --- 6, 7, 8. files that are not what they claim ----------------------------------------------


@pytest.mark.parametrize("name", ["empty.csv", "empty.xlsx"])
def test_an_empty_file_is_refused(seeded: AppContext, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    error = rejected(seeded, path)
    assert error.message == f"{name} は空のファイルです（0 バイト）。"


def test_a_csv_of_blank_lines_is_refused(seeded: AppContext, tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_bytes(b",,,\r\n  ,\r\n\r\n")
    error = rejected(seeded, path)
    assert error.message == "blank.csv には何も書かれていません（空のシートです）。"


def test_an_empty_workbook_is_refused(seeded: AppContext, tmp_path: Path) -> None:
    path = tmp_path / "blank.xlsx"
    Workbook().save(path)
    error = rejected(seeded, path)
    assert error.message == "blank.xlsx には何も書かれていません（空のシートです）。"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_file_with_only_the_header_is_refused(
    seeded: AppContext, tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"header{suffix}"
    if suffix == ".csv":
        write_csv_file(path, [], bom=True)
    else:
        write_xlsx_file(path, [])
    error = rejected(seeded, path)
    assert error.message.startswith(
        f"header{suffix} にはデータの行がありません（見出しの行だけです）"
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"not a zip", "broken.xlsx は Excel（.xlsx）のファイルではないか、壊れています。"),
        (
            "ブロック,地区名\r\n北,日野\r\n".encode(),
            "broken.xlsx は Excel（.xlsx）のファイルではないか、壊れています。",
        ),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "パスワードで保護されているか"),
    ],
)
def test_an_xlsx_that_is_not_a_workbook_is_refused(
    seeded: AppContext, tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(content)
    error = rejected(seeded, path)
    assert expected in error.message
    assert "Traceback" not in error.full_text()


def test_a_zip_that_is_not_a_workbook_is_refused(seeded: AppContext, tmp_path: Path) -> None:
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    error = rejected(seeded, path)
    assert error.message.startswith(
        "archive.xlsx は壊れているか、Excel（.xlsx）として読み込めません。"
    )


def test_a_truncated_workbook_is_refused(seeded: AppContext, tmp_path: Path) -> None:
    whole = write_xlsx_file(tmp_path / "whole.xlsx", [good_row()]).read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(whole[: len(whole) // 2])
    error = rejected(seeded, path)
    assert "cut.xlsx は壊れているか" in error.message


def test_a_workbook_with_a_csv_name_is_refused(seeded: AppContext, tmp_path: Path) -> None:
    path = tmp_path / "really.csv"
    path.write_bytes(write_xlsx_file(tmp_path / "w.xlsx", [good_row()]).read_bytes())
    error = rejected(seeded, path)
    assert error.message.startswith("really.csv は CSV ではなく Excel のファイルのようです。")


@pytest.mark.parametrize(
    "content",
    [
        b"\x81\x7f,\x82\xff\r\n",  # a lead byte with no valid trail byte: neither UTF-8 nor cp932
        "ブロック,地区名\r\n".encode("utf-16-le"),  # UTF-16 without its BOM: full of NULs
        "ブロック,地区名\r\n北,日野\r\n".encode()[:-9] + b"\xe9,\xe9\r\n",
    ],
)
def test_a_csv_in_an_unknown_encoding_is_refused(
    seeded: AppContext, tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(content)
    error = rejected(seeded, path)
    assert error.message.startswith("latin.csv の文字コードを読み取れません。")
    assert "Shift_JIS" in error.message


@pytest.mark.parametrize("name", ["list.xls", "list.txt", "list"])
def test_other_file_types_are_refused(seeded: AppContext, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"x")
    error = rejected(seeded, path)
    assert error.message.startswith(f"{name} は")
    assert ".xlsx" in error.message


def test_a_missing_file_is_refused(seeded: AppContext, tmp_path: Path) -> None:
    error = rejected(seeded, tmp_path / "nowhere.csv")
    assert error.message.startswith("ファイル nowhere.csv が見つかりません")


# --- 9. encodings -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("cp932", False), ("utf-8", True), ("utf-8", False), ("utf-16", False)],
)
def test_csv_encodings_are_all_read(
    ctx: AppContext, tmp_path: Path, encoding: str, bom: bool
) -> None:
    rows = [
        good_row(name="髙田", reading="ﾀｶﾀﾞ", block="東ブロック", note="①番地・﨑"),
        good_row(name="ﾅｶｲ", reading="なかい", block="東ブロック", code="007"),
    ]
    path = write_csv_file(tmp_path / "list.csv", rows, encoding=encoding, bom=bom)
    report = import_districts(ctx.db, path, create_blocks=True)
    assert (report.districts_created, report.statistics_added, report.blocks_created) == (2, 2, 1)
    takada = district(ctx, "髙田")
    assert (takada["reading"], takada["block"], takada["note"]) == (
        "ﾀｶﾀﾞ",
        "東ブロック",
        "①番地・﨑",
    )
    assert district(ctx, "ﾅｶｲ")["code"] == "007"


def test_a_tab_separated_unicode_text_file_is_read(ctx: AppContext, tmp_path: Path) -> None:
    # Excel's 「Unicode テキスト」: UTF-16 with BOM, tab-separated.
    text = "\t".join(HEADERS) + "\r\n" + "\t".join(map(str, good_row(total="1,500"))) + "\r\n"
    path = tmp_path / "unicode.csv"
    path.write_bytes(text.encode("utf-16"))
    import_districts(ctx.db, path, create_blocks=True)
    assert district(ctx, "日野")["statistics"][0][2] == 1500


def test_header_variants_are_accepted(ctx: AppContext, tmp_path: Path) -> None:
    headers = [
        "ブロック名",
        "地区名称",
        "ふりがな",
        "年度",
        "人口総数",
        "高齢者人口（人）",
        "※備考",
    ]
    rows = [["北", "日野", "ひの", "R6", "2,000", "600", "メモ"]]
    path = write_csv_file(tmp_path / "variants.csv", rows, headers=headers)
    import_districts(ctx.db, path, create_blocks=True)
    found = district(ctx, "日野")
    assert (found["reading"], found["note"]) == ("ひの", "メモ")
    assert found["statistics"] == [(2024, None, 2000, 600, None, None, None)]


# --- 10. dates --------------------------------------------------------------------------------


def test_wareki_dates_and_fiscal_years_in_a_csv(ctx: AppContext, tmp_path: Path) -> None:
    rows = [
        good_row(established_on="令和6年4月1日", fiscal_year="令和6年度", as_of="R6.4.1"),
        good_row(
            name="月見",
            reading="つきみ",
            established_on="H31.4.30",
            fiscal_year="R5",
            as_of="令和５年４月１日（土）",
        ),
        good_row(
            name="元町",
            reading="もとまち",
            established_on="令和元年5月1日",
            fiscal_year="2019年度",
            as_of="20190401",
        ),
    ]
    import_districts(ctx.db, write_csv_file(tmp_path / "wareki.csv", rows), create_blocks=True)
    hino, tsukimi, motomachi = (district(ctx, n) for n in ("日野", "月見", "元町"))
    assert hino["council"][1] == date(2024, 4, 1)
    assert hino["statistics"][0][:2] == (2024, date(2024, 4, 1))
    assert tsukimi["council"][1] == date(2019, 4, 30)
    assert tsukimi["statistics"][0][:2] == (2023, date(2023, 4, 1))
    assert motomachi["council"][1] == date(2019, 5, 1)
    assert motomachi["statistics"][0][:2] == (2019, date(2019, 4, 1))


def test_excel_dates_serials_and_text_dates_in_an_xlsx(ctx: AppContext, tmp_path: Path) -> None:
    rows = [
        good_row(established_on=datetime(2021, 10, 1), as_of=date(2024, 4, 1), fiscal_year=2024),
        good_row(
            name="月見",
            reading="つきみ",
            established_on=45383,  # the serial Excel shows as 2024/04/01
            as_of=45017.0,  # 2023/04/01
            fiscal_year="令和5年度",
        ),
        good_row(
            name="元町",
            reading="もとまち",
            established_on="R2.7.15",
            as_of="2023-04-01",
            fiscal_year=2023.0,
        ),
    ]
    import_districts(ctx.db, write_xlsx_file(tmp_path / "dates.xlsx", rows), create_blocks=True)
    assert district(ctx, "日野")["council"][1] == date(2021, 10, 1)
    assert district(ctx, "日野")["statistics"][0][:2] == (2024, date(2024, 4, 1))
    assert district(ctx, "月見")["council"][1] == date(2024, 4, 1)
    assert district(ctx, "月見")["statistics"][0][:2] == (2023, date(2023, 4, 1))
    assert district(ctx, "元町")["council"][1] == date(2020, 7, 15)
    assert district(ctx, "元町")["statistics"][0][:2] == (2023, date(2023, 4, 1))


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("established_on", "R6.2.30", "日付「R6.2.30」は存在しない日です"),
        ("established_on", "平成32年1月1日", "日付「平成32年1月1日」は平成の期間外です"),
        ("as_of", "来年の春", "日付「来年の春」を読み取れません"),
        ("fiscal_year", "令和0年度", "年度「令和0年度」は令和の期間外です"),
        ("established_on", "2010", "1905-07-02 は古すぎます"),
    ],
)
def test_a_bad_date_is_named(
    seeded: AppContext, tmp_path: Path, column: str, value: str, reason: str
) -> None:
    path = write_csv_file(tmp_path / "date.csv", [good_row(**{column: value})])
    problems = problem_texts(rejected(seeded, path))
    header = HEADERS[KEYS.index(column)]
    assert len(problems) == 1
    assert problems[0].startswith(f"2行目「{header}」列: {reason}")


def test_a_date_in_a_text_column_is_refused(seeded: AppContext, tmp_path: Path) -> None:
    path = write_xlsx_file(tmp_path / "d.xlsx", [good_row(code=datetime(2024, 1, 7))])
    [problem] = problem_texts(rejected(seeded, path))
    assert problem.startswith("2行目「地区コード」列: 日付や時刻として入力されています")


# --- 11. codes keep their zeros ---------------------------------------------------------------


def test_code_keeps_leading_zeros_from_csv_and_xlsx_text(ctx: AppContext, tmp_path: Path) -> None:
    import_districts(
        ctx.db, write_csv_file(tmp_path / "a.csv", [good_row(code="007")]), create_blocks=True
    )
    import_districts(
        ctx.db,
        write_xlsx_file(tmp_path / "b.xlsx", [good_row(name="月見", reading="", code="0042")]),
        create_blocks=True,
    )
    assert district(ctx, "日野")["code"] == "007"
    assert district(ctx, "月見")["code"] == "0042"

    out = tmp_path / "out.xlsx"
    export_districts(ctx.db, out)
    sheet = load_workbook(out)[REGISTRY_SHEET]
    codes = {row[2].value: row[1] for row in sheet.iter_rows(min_row=2)}
    assert codes["日野"].value == "007"
    assert codes["日野"].data_type == "s"
    assert codes["月見"].value == "0042"


def test_a_numeric_code_cell_is_stored_as_its_digits(ctx: AppContext, tmp_path: Path) -> None:
    # A cell Excel already turned into the number 7 cannot give back its zeros; 7.0 is not "7.0".
    path = write_xlsx_file(tmp_path / "n.xlsx", [good_row(code=7.0)])
    import_districts(ctx.db, path, create_blocks=True)
    assert district(ctx, "日野")["code"] == "7"


# --- 12. names exactly as typed ---------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_names_are_stored_exactly_as_typed(ctx: AppContext, tmp_path: Path, suffix: str) -> None:
    names = ["髙田", "ﾅｶｲ", "山﨑", "ナカイ台", "ＡＢＣ団地"]
    rows = [good_row(name=n, reading="", block="ﾐﾅﾐ") for n in names]
    path = tmp_path / f"names{suffix}"
    (write_csv_file if suffix == ".csv" else write_xlsx_file)(path, rows)
    import_districts(ctx.db, path, create_blocks=True)
    stored = [d["name"] for d in registry(ctx)["districts"]]
    assert sorted(n.encode() for n in stored) == sorted(n.encode() for n in names)
    assert registry(ctx)["blocks"][0][0].encode() == "ﾐﾅﾐ".encode()
    with ctx.db.read() as s:
        raw = set(s.scalars(select(District.name)))
    assert raw == set(names)


def test_names_differing_only_in_width_are_refused(seeded: AppContext, tmp_path: Path) -> None:
    rows = [good_row(name="ナカイ"), good_row(name="ﾅｶｲ", fiscal_year="2023")]
    problems = problem_texts(rejected(seeded, write_csv_file(tmp_path / "w.csv", rows)))
    assert problems == [
        "3行目「地区名」列: 2行目の「ナカイ」と、"
        "全角・半角やひらがな・カタカナの違いしかありません。同じ地区なら同じ字で書いてください"
    ]
    # Against a stored district too.
    import_districts(seeded.db, write_csv_file(tmp_path / "first.csv", [good_row(name="イノ")]))
    path = write_csv_file(tmp_path / "stored.csv", [good_row(name="ｲﾉ")])
    [problem] = problem_texts(rejected(seeded, path))
    assert problem.startswith("2行目「地区名」列: 登録済みの地区「イノ」と、全角・半角")


# --- 13. idempotent ---------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_importing_the_same_file_twice_changes_nothing_more(
    seeded: AppContext, tmp_path: Path, suffix: str
) -> None:
    rows = [
        good_row(),
        good_row(fiscal_year="2023", as_of="2023/4/1", total="3100", p65="880"),
        good_row(
            name="月見", reading="つきみ", block="南ブロック", status="準備中", established_on=""
        ),
        good_row(name="井野", block="", reading="", code="", fiscal_year="2024", total="4100"),
    ]
    path = tmp_path / f"twice{suffix}"
    (write_csv_file if suffix == ".csv" else write_xlsx_file)(path, rows)
    first = import_districts(seeded.db, path, create_blocks=True)
    assert (first.districts_created, first.districts_updated) == (2, 1)
    assert (first.statistics_added, first.statistics_replaced, first.blocks_created) == (4, 0, 1)
    after_first = state(seeded)

    second = import_districts(seeded.db, path, create_blocks=True)
    assert (second.districts_created, second.districts_updated) == (0, 3)
    assert (second.statistics_added, second.statistics_replaced, second.blocks_created) == (0, 4, 0)
    assert state(seeded) == after_first  # versions included: nobody's open edit goes stale
    assert [d["name"] for d in registry(seeded)["districts"]].count("日野") == 1
    assert len(district(seeded, "日野")["statistics"]) == 2
    assert len(district(seeded, "井野")["statistics"]) == 2  # 2023 kept, 2024 added


def test_blank_cells_keep_what_is_stored(seeded: AppContext, tmp_path: Path) -> None:
    before = district(seeded, "井野")
    row = line(name="井野", fiscal_year="2023", total="4500", p65="1300")
    import_districts(seeded.db, write_csv_file(tmp_path / "b.csv", [row]))
    after = district(seeded, "井野")
    assert {k: after[k] for k in ("reading", "code", "block", "note", "council")} == {
        k: before[k] for k in ("reading", "code", "block", "note", "council")
    }
    assert after["statistics"] == [(2023, None, 4500, 1300, None, None, None)]


def test_conflicting_rows_for_one_district_are_refused(seeded: AppContext, tmp_path: Path) -> None:
    rows = [good_row(), good_row(fiscal_year="2023", as_of="", reading="ひのまち")]
    [problem] = problem_texts(rejected(seeded, write_csv_file(tmp_path / "c.csv", rows)))
    assert problem == (
        "3行目「フリガナ」列: 同じ地区「日野」の2行目と違います（「ひの」と「ひのまち」）。"
        "同じ地区の行は同じ値にしてください"
    )


def test_the_same_year_twice_is_refused(seeded: AppContext, tmp_path: Path) -> None:
    rows = [good_row(), good_row(total="3001")]
    [problem] = problem_texts(rejected(seeded, write_csv_file(tmp_path / "y.csv", rows)))
    assert problem == (
        "3行目「年度」列: 地区「日野」の2024年度は2行目にもあります。1つの行にまとめてください"
    )


# --- 14. round trip ---------------------------------------------------------------------------


def fill_registry(ctx: AppContext) -> None:
    service = ctx.districts
    south, _ = service.create_block("南ブロック", "みなみ", 1)
    north, _ = service.create_block("北ブロック", "きた", 2)
    empty, _ = service.create_block("西ブロック", "にし", 3)  # no districts: still round-trips
    del empty
    entries = [
        (south.id, "髙田", "たかだ", "007", "設置済", date(2018, 4, 1), "佐藤", ("高齢", "子ども")),
        (south.id, "ﾅｶｲ", "ﾅｶｲ", "", "準備中", None, "", ()),
        (north.id, "=SUM(A1)", "", "1-2", "未設置", None, "+81", ()),
        (north.id, "山﨑", "やまさき", "010", "休止", date(2016, 10, 1), "@鈴木", ("障害",)),
    ]
    for block_id, name, reading, code, status, established, coordinator, domains in entries:
        district_id, _ = service.create_district(
            DistrictInput(
                name,
                reading,
                block_id,
                code=code,
                note=f"{name}のメモ\n2行目",
                council=CouncilInput(status, established, coordinator, domains),
            )
        )
        if name != "ﾅｶｲ":
            service.set_statistics(
                district_id, StatisticsInput(2023, 5000, 1500, 700, 2200, 310, date(2023, 4, 1))
            )
            service.set_statistics(district_id, StatisticsInput(2024, 4990, 1520))


def test_export_then_import_reproduces_the_registry(ctx: AppContext, tmp_path: Path) -> None:
    fill_registry(ctx)
    out = tmp_path / "registry.xlsx"
    assert export_districts(ctx.db, out) == 7  # 3 districts × 2 years + 1 without statistics

    fresh = AppContext.open(tmp_path / "fresh.sqlite3")
    try:
        report = import_districts(fresh.db, out, create_blocks=True)
        assert (report.districts_created, report.statistics_added) == (4, 6)
        assert report.blocks_created == 2  # 西ブロック has no district row to create it
        assert report.ignored_columns == ()
        original, copy = registry(ctx), registry(fresh)
        assert copy["districts"] == original["districts"]
        assert copy["blocks"] == [b for b in original["blocks"] if b[0] != "西ブロック"]

        again = tmp_path / "again.xlsx"
        export_districts(fresh.db, again)
        first = [
            [c for c in r] for r in load_workbook(out)[REGISTRY_SHEET].iter_rows(values_only=True)
        ]
        second = [
            [c for c in r] for r in load_workbook(again)[REGISTRY_SHEET].iter_rows(values_only=True)
        ]
        assert second == first
    finally:
        fresh.close()


def test_export_writes_one_row_per_year_and_a_block_sheet(ctx: AppContext, tmp_path: Path) -> None:
    fill_registry(ctx)
    out = tmp_path / "registry.xlsx"
    export_districts(ctx.db, out)
    workbook = load_workbook(out)
    assert workbook.sheetnames == [REGISTRY_SHEET, BLOCK_SHEET]
    rows = list(workbook[REGISTRY_SHEET].iter_rows(values_only=True))
    assert list(rows[0]) == [*HEADERS, "高齢化率"]
    takada = [r for r in rows[1:] if r[2] == "髙田"]
    assert [r[8] for r in takada] == [2023, 2024]
    assert takada[0][5] == datetime(2018, 4, 1)  # a real Excel date
    assert takada[0][16] == pytest.approx(0.3)
    assert list(workbook[BLOCK_SHEET].iter_rows(values_only=True)) == [
        ("ブロック", "フリガナ", "並び順", "地区数"),
        ("南ブロック", "みなみ", 1, 2),
        ("北ブロック", "きた", 2, 2),
        ("西ブロック", "にし", 3, 0),
    ]


# --- 15. no formula ever ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["=SUM(A1)", "+1", "-1", "@x", "=cmd|' /C calc'!A0", "'=x"])
def test_export_never_writes_a_formula(ctx: AppContext, tmp_path: Path, name: str) -> None:
    service = ctx.districts
    block, _ = service.create_block('=HYPERLINK("x")', "", None)
    service.create_district(
        DistrictInput(
            name,
            "",
            block.id,
            code="-007",
            note="@note",
            council=CouncilInput(coordinator_name="+1"),
        )
    )
    out = tmp_path / "formula.xlsx"
    export_districts(ctx.db, out)
    workbook = load_workbook(out)  # not data_only: a formula would show as data_type 'f'
    cells = [c for ws in workbook.worksheets for row in ws.iter_rows() for c in row]
    assert cells
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    values = {c.value for c in cells if isinstance(c.value, str)}
    assert not [v for v in values if v.startswith(("=", "+", "-", "@"))]
    assert {"'" + name, "'-007", "'@note", "'+1", '\'=HYPERLINK("x")'} <= values

    # And it comes back as typed.
    fresh = AppContext.open(tmp_path / "fresh.sqlite3")
    try:
        import_districts(fresh.db, out, create_blocks=True)
        assert registry(fresh)["districts"] == registry(ctx)["districts"]
        assert registry(fresh)["blocks"] == registry(ctx)["blocks"]
    finally:
        fresh.close()


def test_write_csv_escapes_formulas(tmp_path: Path) -> None:
    from shienapp.io.tabular import write_csv

    path = tmp_path / "f.csv"
    write_csv(path, ["=A", "b"], [["=1+1", "@x"], ["-2", -2], ["'=already", "ok"]])
    text = path.read_bytes().decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == [
        ["'=A", "b"],
        ["'=1+1", "'@x"],
        ["'-2", "-2"],  # the text "-2" is escaped, the number -2 is a number
        ["''=already", "ok"],
    ]


# --- 16. cancel -------------------------------------------------------------------------------


def count_checks(tmp_path: Path, path: Path) -> int:
    """How often an import asks whether to stop, on a database of its own."""
    other = AppContext.open(tmp_path / "count.sqlite3")
    calls = 0

    def never() -> bool:
        nonlocal calls
        calls += 1
        return False

    try:
        import_districts(other.db, path, create_blocks=True, is_cancelled=never)
    finally:
        other.close()
    return calls


def test_cancel_at_any_point_writes_nothing(seeded: AppContext, tmp_path: Path) -> None:
    rows = [
        good_row(block="南ブロック"),
        good_row(name="月見", reading="つきみ", block="東ブロック"),
        good_row(name="井野", block="北ブロック", reading="", fiscal_year="2024"),
    ]
    path = write_csv_file(tmp_path / "cancel.csv", rows)
    calls = count_checks(tmp_path, path)
    assert calls >= 2 * len(rows)  # asked while reading and while saving
    before = state(seeded)
    for stop_at in range(1, calls + 1):
        seen = 0

        def stop(stop_at: int = stop_at) -> bool:
            nonlocal seen
            seen += 1
            return seen >= stop_at

        progress: list[tuple[int, int]] = []

        def record(done: int, total: int, progress: list[tuple[int, int]] = progress) -> None:
            progress.append((done, total))

        with pytest.raises(ImportCancelled) as caught:
            import_districts(
                seeded.db,
                path,
                create_blocks=True,
                is_cancelled=stop,
                progress=record,
            )
        assert caught.value.message == CANCELLED_MESSAGE
        assert seen == stop_at
        assert len(progress) == stop_at - 1
        assert state(seeded) == before, f"cancelled at check {stop_at}"
    # Not cancelling: the same file imports.
    import_districts(seeded.db, path, create_blocks=True, is_cancelled=lambda: False)
    assert len(registry(seeded)["districts"]) == 3


def test_progress_runs_from_zero_to_total(ctx: AppContext, tmp_path: Path) -> None:
    rows = [good_row(name=f"地区{i}", reading="") for i in range(5)]
    path = write_csv_file(tmp_path / "p.csv", rows)
    seen: list[tuple[int, int]] = []
    import_districts(ctx.db, path, create_blocks=True, progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, 10)
    assert seen[-1] == (10, 10)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


# --- 17. the shipped template -----------------------------------------------------------------


def template_values(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    workbook = load_workbook(path)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in workbook.worksheets}


def test_shipped_templates_are_the_current_ones(tmp_path: Path) -> None:
    shipped = config.template_path(TEMPLATE_NAME)
    shipped_csv = config.template_path(TEMPLATE_CSV_NAME)
    assert shipped.name == "districts_template.xlsx"
    assert shipped_csv.name == "districts_template.csv"
    fresh, fresh_csv = tmp_path / TEMPLATE_NAME, tmp_path / TEMPLATE_CSV_NAME
    write_template(fresh)
    write_template(fresh_csv)
    # Regenerate with write_template() when the format changes.
    assert shipped_csv.read_bytes() == fresh_csv.read_bytes()
    assert template_values(shipped) == template_values(fresh)


def test_shipped_template_has_the_header_the_example_and_the_guide() -> None:
    sheets = template_values(config.template_path(TEMPLATE_NAME))
    assert list(sheets) == [REGISTRY_SHEET, GUIDE_SHEET]
    header, example = sheets[REGISTRY_SHEET]
    assert header == HEADERS
    assert example[KEYS.index("code")] == "001"
    assert example[KEYS.index("note")] == EXAMPLE_NOTE
    guide = sheets[GUIDE_SHEET]
    assert guide[0] == ("項目", "必須", "書き方")
    assert [r[0] for r in guide[1 : len(HEADERS) + 1]] == list(HEADERS)

    text = config.template_path(TEMPLATE_CSV_NAME).read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert rows[0] == list(HEADERS)
    assert rows[1][KEYS.index("note")] == EXAMPLE_NOTE
    assert len(rows) == 2


@pytest.mark.parametrize("name", [TEMPLATE_NAME, TEMPLATE_CSV_NAME])
@pytest.mark.parametrize("create_blocks", [False, True])
def test_importing_the_untouched_template_is_refused(
    seeded: AppContext, name: str, create_blocks: bool
) -> None:
    error = rejected(seeded, config.template_path(name), create_blocks=create_blocks)
    assert problem_texts(error) == [
        "2行目「備考」列: この行はテンプレートの記入例です。行ごと削除してから取り込んでください"
    ]


def test_an_example_row_left_among_real_rows_is_named(seeded: AppContext, tmp_path: Path) -> None:
    rows = [good_row(), good_row(name="記入例地区", block="記入例ブロック", note="")]
    path = write_csv_file(tmp_path / "left.csv", rows)
    problems = problem_texts(rejected(seeded, path, create_blocks=True))
    assert problems == [
        "3行目「地区名」列: この行はテンプレートの記入例です。行ごと削除してから取り込んでください"
    ]


@pytest.mark.parametrize("name", [TEMPLATE_NAME, TEMPLATE_CSV_NAME])
def test_the_template_filled_in_imports(seeded: AppContext, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    if name.endswith(".csv"):
        rows = list(
            csv.reader(io.StringIO(config.template_path(name).read_bytes().decode("utf-8-sig")))
        )
        rows[1] = [str(v) for v in good_row(code="005")]
        write_csv_file(path, rows[1:], headers=rows[0], bom=True)
    else:
        workbook = load_workbook(config.template_path(name))
        sheet = workbook[REGISTRY_SHEET]
        for column, value in enumerate(good_row(code="005"), start=1):
            sheet.cell(row=2, column=column).value = value or None
        workbook.save(path)
    report = import_districts(seeded.db, path)
    assert (report.districts_created, report.statistics_added) == (1, 1)
    found = district(seeded, "日野")
    assert found["code"] == "005"
    assert found["statistics"] == [(2024, date(2024, 4, 1), 3000, 900, 400, 1400, 200)]


# --- names through a round trip, whatever they are --------------------------------------------

_NAME_CHARS = st.sampled_from(list("髙﨑ﾅｶｲｶﾞあア亜Ａa1１=+-@'\"、・ 　〜ー①"))


def _usable(name: str) -> bool:
    from shienapp.core.text import fold

    return (
        bool(name.strip())
        and name == name.strip()
        and fold(name) not in {"合計", "計", "総計", "小計", "全体", "市全体"}
    )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(name=st.text(_NAME_CHARS, min_size=1, max_size=12).filter(_usable))
@example(name="'=x")  # typed with its apostrophe: must not lose it
@example(name="ﾅｶｲ=髙")
def test_any_name_survives_export_and_import(name: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        source = AppContext.open(base / "a.sqlite3")
        target = AppContext.open(base / "b.sqlite3")
        try:
            block, _ = source.districts.create_block(name, "", None)
            source.districts.create_district(
                DistrictInput(name, "", block.id, code=name[:20], note=name)
            )
            out = base / f"{uuid.uuid4().hex}.xlsx"
            export_districts(source.db, out)
            import_districts(target.db, out, create_blocks=True)
            [copy] = registry(target)["districts"]
            assert (copy["name"], copy["block"], copy["code"], copy["note"]) == (
                name,
                name,
                name[:20],
                name,
            )
        finally:
            source.close()
            target.close()
