"""Excel helpers shared by every import and export (openpyxl).

Imports read a sheet by its Chinese headers into dicts and collect every problem as a
``RowError`` so the whole file is answered at once; exports write the same headers back.
"""

import io
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .errors import ImportFailed, RowError

MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_IMPORT_ROWS = 200_000
EXCEL_MAX_ROWS = 1_048_576
# an .xlsx is a ZIP of XML parts: what they expand to is checked before openpyxl opens them
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 150  # real sheets compress 5-30 ×; a "zip bomb" thousands ×
MAX_ZIP_ENTRIES = 1_000
# a cell starting with one of these is a formula (or DDE) to Excel, WPS or LibreOffice when
# typed; the full-width forms are turned into ASCII by Chinese input methods and some apps
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


@dataclass
class Sheet:
    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]
    widths: Sequence[int] | None = None


def export_cell(ws: Any, value: Any) -> Any:
    """One exported value, inert: user text is always a text cell, never a formula.

    openpyxl turns every string starting with ``=`` into a formula cell; a text starting with
    any of ``FORMULA_PREFIXES`` is therefore written as an explicit string cell with Excel's
    quote prefix (as if typed after an apostrophe: shown unchanged, and still text when the
    cell is edited). Characters XML cannot carry are dropped. Numbers and dates stay as they
    are; None becomes an empty cell.
    """
    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not value.startswith(FORMULA_PREFIXES):
        return value
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def write_workbook(sheets: Sequence[Sheet]) -> bytes:
    """Write the sheets in openpyxl's streaming (write-only) mode: rows go straight to the file
    instead of a grid of cell objects, several times faster and flat in memory for big
    exports. Bold shaded headers, column widths, frozen header row. Every value goes through
    ``export_cell``, so no export ever writes a formula."""
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
            ws.append([export_cell(ws, v) for v in row])
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


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOT_XLSX = gettext_noop("无法读取 Excel 文件（需要 .xlsx），文件已损坏或不是 Excel 2007 及以上格式")


def check_zip(data: bytes, what: str = "", broken: str = "") -> None:
    """Refuse a ZIP package whose parts would expand far beyond its size, before any of it is
    decompressed: the declared sizes are what ``zipfile`` will deliver at most."""
    what = what or _("Excel 文件")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            entries = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        message = broken or f"无法读取{what}：文件已损坏或不是 ZIP 包"
        raise ImportFailed([RowError(None, "", message)]) from exc
    if len(entries) > MAX_ZIP_ENTRIES:
        raise ImportFailed(
            [
                RowError(
                    None,
                    "",
                    _("%(what)s包含 %(entries_count)s 个部件，超过上限 %(max_zip_entries)s")
                    % {
                        "what": what,
                        "entries_count": len(entries),
                        "max_zip_entries": MAX_ZIP_ENTRIES,
                    },
                )
            ]
        )
    total = sum(e.file_size for e in entries)
    packed = sum(e.compress_size for e in entries)
    if total > MAX_UNCOMPRESSED_BYTES or total > packed * MAX_COMPRESSION_RATIO + 1_000_000:
        raise ImportFailed(
            [
                RowError(
                    None,
                    "",
                    _(
                        "%(what)s解压后达 %(value)s MB，远超文件本身大小，"
                        "已拒绝（可能是恶意构造的压缩包）"
                    )
                    % {"what": what, "value": total // (1024 * 1024)},
                )
            ]
        )


def open_workbook(file: IO[bytes] | bytes) -> Any:
    data = file if isinstance(file, bytes) else file.read()
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFailed([RowError(None, "", _("文件超过 20 MB 上限"))])
    check_zip(data, broken=_(NOT_XLSX))
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl and zipfile raise many types for a broken package
        raise ImportFailed([RowError(None, "", _(NOT_XLSX))]) from exc


FORMULA_WITHOUT_VALUE = gettext_noop(
    "单元格是公式，但文件中没有公式的计算结果（请在 Excel 或 WPS 中打开并保存后再导入，"
    "或复制后“选择性粘贴 → 数值”）"
)


def _has_formulas(data: bytes) -> bool:
    """Whether any worksheet part holds a formula element (read in chunks, never whole)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            tail = b""
            with zf.open(name) as part:
                while chunk := part.read(1 << 20):
                    text = tail + chunk
                    if b"<f>" in text or b"<f " in text or b":f>" in text or b":f " in text:
                        return True
                    tail = text[-8:]
    return False


def read_rows(
    file: IO[bytes] | bytes,
    required: Sequence[str],
    optional: Sequence[str] = (),
    sheet: str | None = None,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (row number, {header: value}) for each non-empty row of the sheet.

    Raises ImportFailed at once when the file or the header row is unusable; after the last
    row when a wanted cell holds a formula Excel never computed (its value would read as empty).
    The sheet's declared dimensions are ignored (a tiny file may claim a million columns):
    rows are as wide as the wanted columns.
    """
    data = file if isinstance(file, bytes) else file.read()
    wb = open_workbook(data)
    if sheet is not None and sheet not in wb.sheetnames:
        raise ImportFailed([RowError(None, "", _("缺少工作表「%(sheet)s」") % {"sheet": sheet})])
    ws = wb[sheet] if sheet else wb.worksheets[0]
    ws.reset_dimensions()
    header_row = next(ws.iter_rows(max_row=1, values_only=True), None)
    if not header_row:
        raise ImportFailed([RowError(None, "", _("文件为空"), sheet=ws.title)])
    headers = [str(_clean(h) or "") for h in header_row]
    missing = [h for h in required if h not in headers]
    if missing:
        raise ImportFailed([RowError(1, h, _("缺少必填列"), sheet=ws.title) for h in missing])
    wanted = {h: headers.index(h) for h in [*required, *optional] if h in headers}
    width = max(wanted.values()) + 1
    rows = ws.iter_rows(min_row=2, max_col=width, values_only=True)
    formula_rows: Iterator[tuple[Any, ...]] | None = None
    if _has_formulas(data):
        raw = load_workbook(io.BytesIO(data), read_only=True, data_only=False)[ws.title]
        raw.reset_dimensions()
        formula_rows = raw.iter_rows(min_row=2, max_col=width, values_only=True)
    uncomputed: list[RowError] = []
    count = 0
    for number, values in enumerate(rows, start=2):
        if number > EXCEL_MAX_ROWS:
            raise ImportFailed(
                [
                    RowError(
                        number,
                        "",
                        _("行号超过 Excel 上限 %(excel_max_rows)s")
                        % {"excel_max_rows": EXCEL_MAX_ROWS},
                    )
                ]
            )
        formulas = next(formula_rows, ()) if formula_rows is not None else ()
        cleaned = [_clean(v) for v in values]
        for h, i in wanted.items():
            raw_value = formulas[i] if i < len(formulas) else None
            if cleaned[i] is None and isinstance(raw_value, str) and raw_value.startswith("="):
                uncomputed.append(RowError(number, h, _(FORMULA_WITHOUT_VALUE), sheet=ws.title))
        if all(v is None for v in cleaned):
            continue
        count += 1
        if count > MAX_IMPORT_ROWS:
            raise ImportFailed(
                [
                    RowError(
                        number,
                        "",
                        _("行数超过上限 %(max_import_rows)s")
                        % {"max_import_rows": MAX_IMPORT_ROWS},
                    )
                ]
            )
        yield number, {h: cleaned[i] for h, i in wanted.items()}
    wb.close()
    if uncomputed:
        raise ImportFailed(uncomputed)


def max_lengths(model: type[models.Model], **columns: str) -> dict[str, int]:
    """{column: max_length} for the columns stored in ``model``'s fields (column=field name)."""
    limits = {}
    for column, field_name in columns.items():
        max_length = getattr(model._meta.get_field(field_name), "max_length", None)
        if max_length:
            limits[column] = max_length
    return limits


class ErrorCollector:
    """Collects RowErrors during an import; ``raise_if_any`` ends it all-or-nothing."""

    def __init__(self, sheet: str = ""):
        self.sheet = sheet
        self.errors: list[RowError] = []

    def add(self, row: int | None, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, message, sheet=self.sheet))

    def check_lengths(
        self, row: int | None, values: Mapping[str, Any], limits: Mapping[str, int]
    ) -> bool:
        """Add an error for every value longer than its column's limit (see ``max_lengths``);
        True when all fit. Checked before anything reaches the database, where PostgreSQL
        would refuse the row and SQLite would silently keep it."""
        fits = True
        for column, limit in limits.items():
            value = values.get(column)
            if value is not None and len(str(value)) > limit:
                self.add(
                    row,
                    column,
                    _("长度 %(n)s 个字符，超过上限 %(limit)s 个字符")
                    % {"n": len(str(value)), "limit": limit},
                )
                fits = False
        return fits

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ImportFailed(self.errors)
