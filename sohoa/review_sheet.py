"""Bulk review from a spreadsheet: the metadata workbook contractors and archivists keep (DESIGN.md, review
contract: ``sohoa review <output>/<batch_id> --export FILE.xlsx`` and ``--import FILE.xlsx --by NAME``).

One row per pending document (the report's metadata keys as columns, prefilled with the machine's values, their
confidences and a link to the page view), one row per dossier form (no doc_id). A filled-in sheet goes through
the same checks and the same ``sohoa.review.apply`` as the forms in Airflow; one bad row refuses the whole sheet,
each problem named by its row, so that nothing is half-applied.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from sohoa.catalogue import put_cell
from sohoa.review import (
    FIELDS,
    Answer,
    ReviewError,
    apply,
    check,
    decision_of,
    dossier,
    dossier_reasons,
    now,
    pending_documents,
)
from sohoa.vocab import nfc
from sohoa.workspace import BatchWork

SHEET = "kiem_duyet"
KEYS = ("dossier_code", "doc_id", "decision", "reason")
HINT = ("Fill in decision (Approve / Reject, or Duyệt / Từ chối) and correct the fields; a Reject needs a reason. "
        "Leave decision empty to answer later. Then: sohoa review <output>/<batch_id> --import FILE --by NAME")


def _append(sheet: Any, values: list[Any]) -> None:
    """Add a row of values after the last one, every cell written with ``put_cell``: a catalogue, OCR or
    dossier-code value starting with = + - @ stays text, never a formula (openpyxl would store it as one)."""
    row = sheet.max_row + 1 if sheet.max_row > 1 or sheet.cell(1, 1).value is not None else 1
    for col, value in enumerate(values, 1):
        put_cell(sheet.cell(row=row, column=col), value)


def export(work: BatchWork, path: Path, base_url: str = "") -> int:
    """Write every pending document and dossier form of the batch to ``path``; returns the number of rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    header = [*KEYS, *FIELDS, *(f"{f}_confidence" for f in FIELDS), "why", "pages"]
    _append(sheet, header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    unsure = PatternFill("solid", fgColor="FFF3CD")
    rows = 0
    link = f"{base_url.rstrip('/')}/sohoa/review/{work.root.name}"
    for dw in work.dossiers():
        if not dw.documents_json.exists():
            continue
        for doc in pending_documents(dw):
            why = ", ".join(f for f in FIELDS if doc["confidence"].get(f, 0) < 0.9 and f in doc["confidence"])
            values = [dw.code, doc["doc_id"], None, None, *(doc["metadata"].get(f) for f in FIELDS),
                      *(doc["confidence"].get(f) for f in FIELDS), f"unsure or empty: {why}",
                      f"{link}/{dw.code}/{doc['doc_id']}"]
            _append(sheet, values)
            for col, name in enumerate(FIELDS, len(KEYS) + 1):
                if doc["confidence"].get(name, 0) < 0.9:
                    sheet.cell(row=sheet.max_row, column=col).fill = unsure
            rows += 1
        if reasons := dossier_reasons(dw):
            _append(sheet, [dw.code, None, None, None, *([None] * (2 * len(FIELDS))), "; ".join(reasons),
                            f"{link}/{dw.code}"])
            rows += 1
    put_cell(sheet.cell(row=sheet.max_row + 2, column=1), HINT)  # after an empty row
    sheet.freeze_panes = "C2"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return rows


def _text(value: Any) -> str | None:
    """A cell as the text it means: Excel turns typed dates into datetimes and numbers into floats."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = nfc(str(value)).strip()
    return text or None


def read(path: Path, by: str) -> tuple[dict[str, dict[str, Answer]], dict[str, Answer], list[str]]:
    """(document answers by dossier, dossier answers, problems) of a filled-in sheet."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is no workbook
        raise ReviewError([f"{path} cannot be read as an .xlsx workbook: {exc}"]) from exc
    sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = [_text(h) for h in rows[0]] if rows else []
    if missing := [k for k in ("dossier_code", "doc_id", "decision") if k not in header]:
        raise ReviewError([f"{path}: no column {', '.join(missing)} in the first row (was it exported by "
                           "sohoa review --export?)"])
    at = now()
    documents: dict[str, dict[str, Answer]] = {}
    dossiers: dict[str, Answer] = {}
    problems = []
    for number, row in enumerate(rows[1:], 2):
        cells = {name: _text(value) for name, value in zip(header, row, strict=False) if name}
        if not cells.get("decision"):
            continue  # not answered yet
        where = f"row {number}"
        decision = decision_of(cells["decision"])
        if decision is None:
            problems.append(f"{where}: decision {cells['decision']!r} is neither Approve nor Reject")
            continue
        code, doc_id = cells.get("dossier_code") or "", cells.get("doc_id")
        values = {k: cells.get(k) for k in (*FIELDS, "reason") if k in header}
        answer = Answer(decision, {**values, **({"doc_id": doc_id} if doc_id else {"dossier_code": code})}, by, at)
        if doc_id:
            if doc_id in documents.get(code, {}):
                problems.append(f"{where}: {doc_id} is answered twice")
            documents.setdefault(code, {})[doc_id] = answer
        else:
            dossiers[code] = answer
    return documents, dossiers, problems


def import_sheet(work: BatchWork, path: Path, by: str) -> dict[str, str]:
    """Check every answered row of the sheet against the batch, then apply them all; returns each dossier's
    outcome ("approved" or "rejected"). ReviewError, with every problem, when any row cannot be applied:
    then nothing was applied."""
    if not by.strip():
        raise ReviewError(["--by needs the archivist's name: every change is recorded with who made it"])
    documents, dossiers, problems = read(path, nfc(by.strip()))
    codes = sorted(set(documents) | set(dossiers))
    checked = []
    for code in codes:
        try:
            dw = dossier(work, code)
        except ReviewError as exc:
            problems += exc.problems
            continue
        if not pending_documents(dw) and not dossier_reasons(dw):
            problems.append(f"{code}: nothing of this dossier is pending review")
            continue
        problems += check(dw, documents.get(code, {}), dossiers.get(code))
        checked.append(code)
    if problems:
        raise ReviewError(problems)
    return {code: apply(work, code, documents.get(code, {}), dossiers.get(code), via=f"spreadsheet {path.name}")
            for code in checked}
