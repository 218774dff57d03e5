"""Excel helpers shared by every import and export (openpyxl).

Imports read a sheet by its Chinese headers into dicts and collect every problem as a
``RowError`` so the whole file is answered at once; exports write the same headers back.
"""

import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from .errors import ImportFailed, RowError

MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_IMPORT_ROWS = 200_000


@dataclass
class Sheet:
    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]
    widths: Sequence[int] | None = None


def write_workbook(sheets: Sequence[Sheet]) -> bytes:
    """Write the sheets in openpyxl's streaming (write-only) mode: rows go straight to the file
    instead of a grid of cell objects, several times faster and flat in memory for big
    exports. Bold shaded headers, column widths, frozen header row."""
    wb = Workbook(write_only=True)
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    header_alignment = Alignment(vertical="center")
    for spec in sheets:
        ws = wb.create_sheet(spec.title[:31])
        for i, header in enumerate(spec.headers, start=1):
            width = (
                spec.widths[i - 1] if spec.widths else max(10, min(60, len(str(header)) * 2 + 4))
            )
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "A2"
        header_row = []
        for title in spec.headers:
            cell = WriteOnlyCell(ws, value=title)
            cell.font, cell.fill, cell.alignment = header_font, header_fill, header_alignment
            header_row.append(cell)
        ws.append(header_row)
        for row in spec.rows:
            ws.append(["" if v is None else v for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def open_workbook(file: IO[bytes] | bytes) -> Any:
    data = file if isinstance(file, bytes) else file.read()
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFailed([RowError(None, "", "文件超过 20 MB 上限")])
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportFailed(
            [RowError(None, "", f"无法读取 Excel 文件（需要 .xlsx）：{exc}")]
        ) from exc
    except Exception as exc:  # zipfile.BadZipFile and friends: not an xlsx at all
        raise ImportFailed([RowError(None, "", "无法读取 Excel 文件（需要 .xlsx）")]) from exc


def read_rows(
    file: IO[bytes] | bytes,
    required: Sequence[str],
    optional: Sequence[str] = (),
    sheet: str | None = None,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (row number, {header: value}) for each non-empty row of the sheet.

    Raises ImportFailed at once when the file or the header row is unusable.
    """
    wb = open_workbook(file)
    if sheet is not None and sheet not in wb.sheetnames:
        raise ImportFailed([RowError(None, "", f"缺少工作表「{sheet}」")])
    ws = wb[sheet] if sheet else wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header_row = next(rows, None)
    if header_row is None:
        raise ImportFailed([RowError(None, "", "文件为空", sheet=ws.title)])
    headers = [str(_clean(h) or "") for h in header_row]
    missing = [h for h in required if h not in headers]
    if missing:
        raise ImportFailed([RowError(1, h, "缺少必填列", sheet=ws.title) for h in missing])
    wanted = {h: headers.index(h) for h in [*required, *optional] if h in headers}
    count = 0
    for number, values in enumerate(rows, start=2):
        cleaned = [_clean(v) for v in values]
        if all(v is None for v in cleaned):
            continue
        count += 1
        if count > MAX_IMPORT_ROWS:
            raise ImportFailed([RowError(number, "", f"行数超过上限 {MAX_IMPORT_ROWS}")])
        yield number, {h: (cleaned[i] if i < len(cleaned) else None) for h, i in wanted.items()}
    wb.close()


class ErrorCollector:
    """Collects RowErrors during an import; ``raise_if_any`` ends it all-or-nothing."""

    def __init__(self, sheet: str = ""):
        self.sheet = sheet
        self.errors: list[RowError] = []

    def add(self, row: int | None, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, message, sheet=self.sheet))

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ImportFailed(self.errors)
