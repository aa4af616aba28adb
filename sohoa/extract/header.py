"""The header block: the issuing body and its parent in the left column (NĐ 30/2020 ô 2), and the anchors of
the header (the ``Số:`` line and the place-date line level with it)."""

from __future__ import annotations

import re

from sohoa.extract.dates import Dated, date_place
from sohoa.extract.names import snap_units
from sohoa.extract.number import NUMBER
from sohoa.extract.segment import header_columns, header_gutter
from sohoa.extract.text import (
    SNAP_UNITS,
    clean_spaces,
    header_lines,
    header_words,
    is_upper,
    letters_of,
    mean_conf,
    similar,
    snap,
)
from sohoa.hocr import HocrPage, Line
from sohoa.vocab import fold

# words that open an issuing unit's name; a header line starting otherwise continues the previous unit
UNIT_STARTS = (
    "UBND", "UY BAN", "BO ", "SO ", "CUC ", "CHI CUC", "TONG CUC", "VU ", "BAN ", "PHONG ", "VAN PHONG",
    "TRUNG TAM", "HOI DONG", "TRUONG ", "BENH VIEN", "THANH TRA", "DANG UY", "CONG TY", "VIEN ", "THU TUONG",
    "CHINH PHU", "KHO BAC", "TOA AN", "VIEN KIEM SAT", "BO CHI HUY", "CONG AN", "DOAN ", "HOC VIEN",
)


def agency_of(lines: list[Line]) -> tuple[str | None, str | None, float]:
    """(parent agency, issuing agency, confidence) from the left header lines above ``Số:``."""
    units: list[list[Line]] = []
    for line in filter(unit_line, lines):
        text = clean_spaces(line.text)
        key = fold(text)
        previous = fold(clean_spaces(units[-1][-1].text)) if units else ""
        if not units or (key.startswith(UNIT_STARTS) and not previous.endswith((" VA", " CUA"))
                         and previous != "THU TUONG"):
            units.append([line])
        else:
            units[-1].append(line)
    if not units:
        return None, None, 0.0
    agency, found = snap_units(snap(" ".join(header_words(ln.text) for ln in units[-1]), SNAP_UNITS, upper=True))
    parent, _ = snap_units(snap(" ".join(header_words(ln.text) for u in units[:-1] for ln in u), SNAP_UNITS,
                                upper=True))
    return parent or None, agency, mean_conf([w for ln in units[-1] for w in ln.words]) * _UNIT_FOUND[found]


def unit_line(line: Line) -> bool:
    """A line of the left header column that may name a unit: upper-case words, not a stamp's, not an ornament
    ("———oOo——~") or a rule."""
    text = clean_spaces(line.text)
    return len(letters_of(text)) >= 2 and is_upper(text) and not stamp_text(text)


# how much the agency's confidence keeps when the place in its name is found as printed, with its marks put
# right, with a letter put right (``names.snap_units``), or not found at all
_UNIT_FOUND = {0: 1.0, 1: 0.95, 2: 0.85, None: 0.7}


# the box a digital signature prints on an e-office copy ("Người ký: …", "Email: …", "Cơ quan: …", "Thời gian ký:
# …") and the stamp of the Government portal that publishes copies ("CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ")
_SIGNATURE_BOX = re.compile(r"\b(?:KY|EMAIL|CO QUAN|THOI GIAN)\s*:")
_PORTAL = "CONG THONG TIN DIEN TU CHINH PHU"


def stamp_text(text: str) -> bool:
    """Whether a header line is the text of a signature box or of the portal's stamp, not of the letterhead."""
    folded = fold(text)
    return bool(_SIGNATURE_BOX.search(folded)) or similar(folded, _PORTAL) >= 0.8


def header_anchors(first: HocrPage, left_column: list[Line] | None) -> tuple[
        list[Line], list[Line], list[Line], int | None, Dated]:
    """The header lines, their left column as the page's layout has it, the left column to read (read again on
    its own if given), the index of its "Số:" line, and the date, place, confidence and line of the place-date
    line."""
    header = header_lines(first)
    page_left, right = header_columns(first)
    # the column read again, without what it took from the right column's first words past the gutter
    gutter = header_gutter(first)
    left = [Line(kept) for ln in left_column or [] if (kept := [w for w in ln.words if w.cx < gutter])] or page_left
    number_at = next((i for i, ln in enumerate(left) if NUMBER.search(fold(ln.text))), None)
    limit = first.height
    if number_at is not None:  # NĐ 30: the place-date line stands level with the "Số:" line, not in the body
        box = left[number_at].box
        limit = box[3] + 4 * max(box[3] - box[1], 1)
    dated = date_place([ln for ln in right or header if ln.box[1] < limit])
    if dated[0] is None:
        dated = date_place([ln for ln in header if ln.box[1] < limit])
    return header, page_left, left, number_at, dated
