"""Cells written to spreadsheets (CSV, XLSX) safely and readably.

Formula injection (OWASP "CSV injection"): a plan's text is the uploader's, and a cell that begins with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a formula by Excel and LibreOffice.
In CSV such a cell gets a leading apostrophe (the spreadsheet shows the text, not a result); in XLSX
the cell is stored as a string, so it keeps its exact text and is never a formula."""
from __future__ import annotations

import csv
import io
from typing import Any, Iterable, Sequence

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
UTF8_BOM = "\ufeff"   # lets Excel read the CSV as UTF-8 (Vietnamese is garbled without it)


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def neutralise(value: Any) -> Any:
    """The value as a CSV cell: formula-like text is prefixed with an apostrophe."""
    return "'" + value if is_formula_like(value) else value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV with a UTF-8 BOM; every formula-like cell neutralised."""
    out = io.StringIO()
    out.write(UTF8_BOM)
    writer = csv.writer(out)
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return out.getvalue()


def write_sheet(sheet, header: Sequence[str], rows: Iterable[Sequence[Any]], widths: Sequence[int] = ()) -> None:
    """Header in bold, frozen, with an autofilter; column widths; formula-like text kept as text."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet.append(list(header))
    for row in rows:
        sheet.append(["" if v is None else v for v in row])
        for cell in sheet[sheet.max_row]:
            if is_formula_like(cell.value):
                cell.data_type = "s"     # openpyxl took it for a formula: store it as the text it is
            if isinstance(cell.value, str) and len(cell.value) > 60:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    if sheet.max_row >= 1 and header:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(sheet.max_row, 1)}"
    for index, name in enumerate(header, start=1):
        width = widths[index - 1] if index - 1 < len(widths) else max(12, min(40, len(str(name)) + 4))
        sheet.column_dimensions[get_column_letter(index)].width = width
