"""Reading and writing tables (Excel and CSV) with no knowledge of the domain.

Japanese offices hand over lists as .xlsx, as UTF-8 CSV and still as Shift_JIS CSV; this module
turns all of them into one ``Table`` whose rows keep the row number Excel shows, so that every
problem can be pointed at a cell. Writing is the reverse: a plain, safe .xlsx (no formula ever,
written atomically so that a failed export never leaves half a file).

openpyxl is imported inside the functions: the app must start without paying for it.
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
import uuid
import warnings
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from shienapp.core.errors import UserError

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv",)
READABLE_SUFFIXES = EXCEL_SUFFIXES + CSV_SUFFIXES

DATE_FORMAT = "yyyy/mm/dd"
DATETIME_FORMAT = "yyyy/mm/dd hh:mm"

# A cell that a spreadsheet would run as a formula (or that hides one behind a control character).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, or an .xlsx locked with a password
# Control characters an .xlsx cannot hold (openpyxl refuses them); tab, LF and CR are fine.
_ILLEGAL_XML_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True, slots=True)
class TableRow:
    """One data row: ``number`` as Excel numbers it (the header row counts), cells by column."""

    number: int
    cells: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Table:
    """A read table: header names, the header's row number and the non-empty data rows.

    Every row has exactly one cell per header (padded with None for .xlsx, "" for CSV).
    """

    source: str
    headers: tuple[str, ...]
    header_row: int
    rows: tuple[TableRow, ...]


@dataclass(frozen=True, slots=True)
class Sheet:
    """One worksheet to write: a header row and data rows.

    ``number_formats`` maps a column index (0-based) to an Excel number format for that
    column's data cells (for example ``"#,##0"`` or ``"@"`` to keep typed codes as text);
    ``widths`` overrides the computed column widths (in Excel character units).
    """

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    number_formats: dict[int, str] = field(default_factory=dict)
    widths: dict[int, float] = field(default_factory=dict)
    wrap_columns: frozenset[int] = frozenset()
    print_header: str = ""  # printed at the top of every page (e.g. 取扱注意)


# --- reading ----------------------------------------------------------------------------------


def read_table(path: Path, *, sheet: str | None = None) -> Table:
    """Read the first sheet of an .xlsx/.xlsm (or the named ``sheet``), or a CSV file.

    The header is the first non-empty row; fully empty rows are skipped. Excel cells keep the
    types openpyxl gives (int, float, datetime, str); CSV cells all stay strings, so codes and
    postal codes keep their leading zeros. Every failure is a ``UserError`` naming the file.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in READABLE_SUFFIXES:
        if suffix == ".xls":
            raise UserError(
                f"{path.name} は古い Excel 形式（.xls）です。"
                "Excel で「名前を付けて保存」から .xlsx 形式か CSV 形式で保存し直してください。"
            )
        raise UserError(
            f"{path.name} は読み込めない種類のファイルです（拡張子「{path.suffix or 'なし'}」）。"
            "Excel（.xlsx）か CSV（.csv）のファイルを選んでください。"
        )
    data = _read_bytes(path)
    if not data:
        raise UserError(f"{path.name} は空のファイルです（0 バイト）。")
    if suffix in EXCEL_SUFFIXES:
        return _make_table(path.name, _excel_rows(path, data, sheet), pad=None)
    return _make_table(path.name, _csv_rows(path, data), pad="")


def list_sheets(path: Path) -> list[str]:
    """The sheet names of an .xlsx (empty for a CSV), so a caller can look for an extra sheet."""
    path = Path(path)
    if path.suffix.lower() not in EXCEL_SUFFIXES:
        return []
    data = _read_bytes(path)
    workbook = _open_workbook(path, data)
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


def unescape_text(text: str) -> str:
    """Undo the apostrophe ``safe_text`` puts before formula-like text, for a round trip."""
    if text.startswith("'") and _looks_like_formula(text):
        return text[1:]
    return text


def _looks_like_formula(text: str) -> bool:
    """Starts like a formula, after any apostrophes: those are escaped once more, so that
    ``'=x`` typed as a name is written ``''=x`` and read back as ``'=x``, not as ``=x``."""
    return text.lstrip("'").startswith(_FORMULA_START)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise UserError(f"ファイル {path.name} が見つかりません（{path}）。") from exc
    except IsADirectoryError as exc:
        raise UserError(f"{path.name} はフォルダです。ファイルを選んでください。") from exc
    except PermissionError as exc:
        raise UserError(
            f"{path.name} を開けません（アクセスが拒否されました）。"
            "Excel などで開いている場合は閉じてから、もう一度試してください。"
        ) from exc
    except OSError as exc:
        raise UserError(f"{path.name} を読み込めません（{exc.strerror or exc}）。") from exc


def _open_workbook(path: Path, data: bytes) -> Any:
    if data.startswith(_OLE_MAGIC):
        raise UserError(
            f"{path.name} を開けません。パスワードで保護されているか、古い Excel 形式（.xls）です。"
            "パスワードを解除し、.xlsx 形式で保存し直してください。"
        )
    if not data.startswith(_ZIP_MAGIC):
        raise UserError(
            f"{path.name} は Excel（.xlsx）のファイルではないか、壊れています。"
            "Excel で開けるか確かめ、.xlsx 形式で保存し直してください。"
        )
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with warnings.catch_warnings():
            # Office files carry extensions openpyxl does not know (data validation, slicers…);
            # it says so with a warning that means nothing to the user.
            warnings.simplefilter("ignore")
            return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        InvalidFileException,
        KeyError,
        ValueError,
        OSError,
    ) as exc:
        raise UserError(
            f"{path.name} は壊れているか、Excel（.xlsx）として読み込めません。"
            "Excel で開けるか確かめ、.xlsx 形式で保存し直してください。",
            [f"詳細: {exc}"],
        ) from exc


def _excel_rows(path: Path, data: bytes, sheet: str | None) -> list[tuple[int, list[Any]]]:
    workbook = _open_workbook(path, data)
    try:
        if sheet is None:
            if not workbook.worksheets:
                raise UserError(f"{path.name} にはシートがありません。")
            worksheet = workbook.worksheets[0]
        elif sheet in workbook.sheetnames:
            worksheet = workbook[sheet]
        else:
            raise UserError(f"{path.name} にはシート「{sheet}」がありません。")
        if not hasattr(worksheet, "iter_rows"):
            raise UserError(f"{path.name} の最初のシートは表ではありません（グラフのシートです）。")
        # Some programs write a wrong sheet size; without this, cells past it would be lost.
        if hasattr(worksheet, "reset_dimensions"):
            worksheet.reset_dimensions()
        rows: list[tuple[int, list[Any]]] = []
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                # In read-only mode openpyxl yields an empty row for every missing row, so the
                # position is the row number Excel shows.
                for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
                    rows.append((number, list(values)))
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            KeyError,
            ValueError,
            TypeError,
            OSError,
        ) as exc:
            raise UserError(
                f"{path.name} のシートを読み込めません（壊れている可能性があります）。",
                [f"詳細: {exc}"],
            ) from exc
        return rows
    finally:
        workbook.close()


def _decode_csv(path: Path, data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Shift_JIS (cp932)."""
    if data.startswith(_ZIP_MAGIC) or data.startswith(_OLE_MAGIC):
        raise UserError(
            f"{path.name} は CSV ではなく Excel のファイルのようです。"
            "拡張子を .xlsx にするか、Excel で CSV 形式で保存し直してください。"
        )
    if data.startswith(_UTF8_BOM):
        candidates = ["utf-8-sig"]
    elif data.startswith(_UTF16_BOMS):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "cp932"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise UserError(
        f"{path.name} の文字コードを読み取れません。"
        "UTF-8 か Shift_JIS（Excel の「CSV（コンマ区切り）」）で保存した CSV を選んでください。"
    )


def _csv_rows(path: Path, data: bytes) -> list[tuple[int, list[Any]]]:
    text = _decode_csv(path, data)
    first_line = text.split("\n", 1)[0]
    # Excel's 「Unicode テキスト」 is tab-separated; accept it when the header shows no comma.
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        # One record is one spreadsheet row, even when a quoted cell spans several lines.
        return [(number, list(record)) for number, record in enumerate(reader, start=1)]
    except csv.Error as exc:
        raise UserError(
            f"{path.name} を CSV として読み取れません（{reader.line_num} 行目付近）。",
            [f"詳細: {exc}"],
        ) from exc


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _make_table(source: str, raw_rows: list[tuple[int, list[Any]]], pad: Any) -> Table:
    header_index = next(
        (i for i, (_, cells) in enumerate(raw_rows) if not all(map(_is_blank, cells))), None
    )
    if header_index is None:
        raise UserError(f"{source} には何も書かれていません（空のシートです）。")
    header_row, header_cells = raw_rows[header_index]
    headers = [_header_text(cell) for cell in header_cells]
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)
    rows = []
    for number, cells in raw_rows[header_index + 1 :]:
        if all(map(_is_blank, cells)):
            continue
        kept = list(cells[:width]) + [pad] * (width - len(cells))
        rows.append(TableRow(number, tuple(kept)))
    if not rows:
        raise UserError(
            f"{source} にはデータの行がありません（見出しの行だけです）。"
            "見出しの下に 1 行に 1 件ずつ入力してください。"
        )
    return Table(source, tuple(headers), header_row, tuple(rows))


def _header_text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return str(cell).strip()


# --- writing ----------------------------------------------------------------------------------


def safe_text(text: str) -> str:
    """Text as it may be stored in a cell: never a formula, never an illegal character."""
    text = _ILLEGAL_XML_RE.sub("", text)
    if _looks_like_formula(text):
        return "'" + text
    return text


def write_xlsx(path: Path, sheets: list[Sheet]) -> None:
    """Write ``sheets`` to ``path`` as an .xlsx, replacing the file only once it is complete.

    Bold, frozen header row; column widths fitted to Japanese text; dates as real Excel dates
    (yyyy/mm/dd); and no formula cell ever, so a name like ``=1+1`` or ``@SUM(...)`` stays text.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    path = Path(path)
    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for spec in sheets:
        worksheet = workbook.create_sheet(title=spec.title[:31])
        widths = [_display_width(str(h)) + 1 for h in spec.headers]  # bold is wider
        for col, header in enumerate(spec.headers, start=1):
            cell = worksheet.cell(row=1, column=col)
            _set_value(cell, header)
            cell.font = bold
        for r, values in enumerate(spec.rows, start=2):
            for c, value in enumerate(values):
                if value is None or value == "":
                    continue
                cell = worksheet.cell(row=r, column=c + 1)
                _set_value(cell, value)
                if c in spec.number_formats and not isinstance(value, (date, datetime)):
                    cell.number_format = spec.number_formats[c]
                if c in spec.wrap_columns:
                    cell.alignment = wrap
                while len(widths) <= c:
                    widths.append(0)
                widths[c] = max(widths[c], _cell_width(value))
        if spec.headers:
            worksheet.freeze_panes = "A2"
        if spec.print_header:
            worksheet.oddHeader.center.text = spec.print_header
            worksheet.evenHeader.center.text = spec.print_header
            worksheet.print_title_rows = "1:1"
        for c, width in enumerate(widths):
            letter = get_column_letter(c + 1)
            chosen = spec.widths.get(c, min(max(width + 2, 6), 60))
            worksheet.column_dimensions[letter].width = chosen
            if spec.number_formats.get(c) == "@":
                # A column kept as text stays text for rows the user types in later (codes: 007).
                worksheet.column_dimensions[letter].number_format = "@"
    _save_atomically(workbook, path)


def _set_value(cell: Any, value: Any) -> None:
    if isinstance(value, bool):
        cell.value = value
    elif isinstance(value, datetime):
        cell.value = value.replace(tzinfo=None)
        cell.number_format = DATETIME_FORMAT if value.time() != time() else DATE_FORMAT
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    elif isinstance(value, (int, float)):
        cell.value = value
    else:
        cell.value = safe_text(str(value))
        cell.data_type = "s"  # never 'f', whatever openpyxl guessed


def _display_width(text: str) -> int:
    """Width in Excel character units: a full-width (Japanese) character counts two."""
    longest = 0
    for line in text.splitlines() or [""]:
        width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
        longest = max(longest, width)
    return longest


def _cell_width(value: Any) -> int:
    if isinstance(value, datetime):
        return 16 if value.time() != time() else 10
    if isinstance(value, date):
        return 10
    if isinstance(value, float):
        return len(f"{value:,.1f}")
    if isinstance(value, int) and not isinstance(value, bool):
        return len(f"{value:,}")
    return _display_width(str(value))


def _temporary_sibling(path: Path) -> Path:
    """A fresh name beside ``path``: the final rename then stays on one file system."""
    folder = path.parent
    if not folder.is_dir():
        raise UserError(f"保存先のフォルダ {folder} がありません。")
    return folder / f".~{path.stem}.{uuid.uuid4().hex[:12]}.tmp{path.suffix}"


def _save_atomically(workbook: Any, path: Path) -> None:
    temp = _temporary_sibling(path)
    try:
        workbook.save(temp)  # an ordinary open(), so the file gets the user's usual permissions
        os.replace(temp, path)
    except PermissionError as exc:
        raise UserError(
            f"{path.name} に保存できません（アクセスが拒否されました）。"
            "Excel などで開いている場合は閉じてから、もう一度試してください。"
        ) from exc
    except OSError as exc:
        raise UserError(f"{path.name} に保存できません（{exc.strerror or exc}）。") from exc
    finally:
        workbook.close()
        temp.unlink(missing_ok=True)


def write_csv(path: Path, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A CSV in UTF-8 with BOM (so Excel reads the Japanese), formula-safe, written atomically."""
    path = Path(path)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_text(str(h)) for h in headers])
    for values in rows:
        writer.writerow([_csv_cell(v) for v in values])
    data = _UTF8_BOM + buffer.getvalue().encode("utf-8")
    temp = _temporary_sibling(path)
    try:
        temp.write_bytes(data)
        os.replace(temp, path)
    except PermissionError as exc:
        raise UserError(
            f"{path.name} に保存できません（アクセスが拒否されました）。"
            "Excel などで開いている場合は閉じてから、もう一度試してください。"
        ) from exc
    except OSError as exc:
        raise UserError(f"{path.name} に保存できません（{exc.strerror or exc}）。") from exc
    finally:
        temp.unlink(missing_ok=True)


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y/%m/%d")
    if isinstance(value, date):
        return value.strftime("%Y/%m/%d")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return safe_text(str(value))
