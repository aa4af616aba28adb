"""The survey as a workbook: sheet ``Khao_sat`` (the sections, in order), sheet ``Theo_lo`` (one row per
batch, to check against its report.json). Text from catalogues is written as text, never as a formula."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sohoa.campaign.figures import DOSSIER_STATES
from sohoa.campaign.survey import BLANK, Survey, _date
from sohoa.catalogue import put_cell

TITLE = "BÁO CÁO KẾT QUẢ SỐ HÓA TÀI LIỆU LƯU TRỮ"
BATCH_COLUMNS = ("batch_id", "started", "pages_delivered", "documents_delivered", *(f"dossiers_{s}" for s in DOSSIER_STATES),
                 "bytes_stored")


def write(survey: Survey, batches: list[dict[str, Any]], path: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    bold, blank_fill = Font(bold=True), PatternFill("solid", fgColor="FFF2CC")
    book = Workbook()
    sheet = book.active
    sheet.title = "Khao_sat"
    put_cell(sheet.cell(1, 1), TITLE)
    sheet.cell(1, 1).font = Font(bold=True, size=14)
    put_cell(sheet.cell(2, 1), "Đợt số hóa")
    put_cell(sheet.cell(2, 2), survey.campaign)
    put_cell(sheet.cell(3, 1), "Lập ngày")
    put_cell(sheet.cell(3, 2), _date(survey.made))
    row = 5
    for section in survey.sections:
        put_cell(sheet.cell(row, 1), section.title)
        sheet.cell(row, 1).font = Font(bold=True, size=12)
        row += 1
        for col, header in enumerate(section.headers, 1):
            put_cell(sheet.cell(row, col), header)
            sheet.cell(row, col).font = bold
        row += 1
        for cells in section.rows:
            for col, value in enumerate(cells, 1):
                cell = sheet.cell(row, col)
                if value is BLANK:
                    cell.fill = blank_fill  # left empty for the province to fill in; the note says so
                else:
                    put_cell(cell, value)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            row += 1
        for note in section.notes:
            put_cell(sheet.cell(row, 1), note)
            sheet.cell(row, 1).font = Font(italic=True)
            row += 1
        row += 1
    for letter, width in zip("ABCDEF", (46, 30, 60, 18, 14, 14), strict=True):
        sheet.column_dimensions[letter].width = width

    per_batch = book.create_sheet("Theo_lo")
    for col, name in enumerate(BATCH_COLUMNS, 1):
        put_cell(per_batch.cell(1, col), name)
        per_batch.cell(1, col).font = bold
    for r, batch in enumerate(sorted(batches, key=lambda b: (b["started"] or "", b["batch_id"])), 2):
        for col, name in enumerate(BATCH_COLUMNS, 1):
            put_cell(per_batch.cell(r, col), batch[name])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path
