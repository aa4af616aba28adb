"""Documents in a dossier: a page opens one when its header has a ``Số:`` line or a place-date line beside the
issuing body or the national title; the left header column's box, read again on its own by the OCR stage."""

from __future__ import annotations

import re
from typing import Any

from sohoa.extract.dates import DATE
from sohoa.extract.number import NUMBER, NUMBER_START
from sohoa.extract.text import COLUMN_SPLIT, SURE, header_lines, is_upper, letters_of, split_columns
from sohoa.hocr import HocrPage, Line
from sohoa.vocab import fold


def _free_cut(spans: list[tuple[int, int]], lo: float, hi: float, aim: float) -> int:
    """A coordinate in [lo, hi] that cuts the fewest of ``spans`` (closest to ``aim`` among equals)."""
    steps = [lo + (hi - lo) * k / 30 for k in range(31)]
    return int(min(steps, key=lambda c: (sum(a < c < b for a, b in spans), abs(c - aim))))


def left_read_surely(page: HocrPage) -> bool:
    """Whether the page's own layout read the left header column surely (the issuing body and a ``Số:`` line,
    every line at 90 % or more, and no gap of ``LOST_LINE`` line heights above the number line, where the layout
    dropped a line: a bold name with its rule touching the letters), so that reading it again on its own
    (``left_header_box``) cannot add to it."""
    left, _ = header_columns(page)
    lines = [ln for ln in left if len(letters_of(ln.text)) >= 2]
    at = next((i for i, ln in enumerate(lines) if NUMBER.search(fold(ln.text))), None)
    if at is None or len(lines) < 3:
        return False
    gaps = [(b.box[1] - a.box[3]) / max(a.box[3] - a.box[1], 1) for a, b in zip(lines[:at], lines[1:at + 1], strict=True)]
    return all(w.conf >= SURE for w in lines[at].words) and all(ln.conf >= SURE for ln in lines) and all(
        gap < LOST_LINE for gap in gaps)


# line heights between two lines of the left header column above its number line past which a line was lost:
# the rule and the space under a one-line issuing body measured up to 2.3 on the benchmark's pages, 2.8 where
# "CỤC DI SẢN VĂN HÓA" (its rule through the letters) was left out
LOST_LINE = 2.5


def _header_bottom(page: HocrPage) -> int:
    return _free_cut([(ln.box[1], ln.box[3]) for ln in page.lines], 0.25 * page.height, 0.34 * page.height,
                     0.3 * page.height)


def header_gutter(page: HocrPage) -> int:
    """x of the gutter between the header's columns: the middle of the widest band of x that no word of the lines
    framing both columns (national title, motto, number and date lines, not stamps) crosses. Where Tesseract's
    layout read a line of each column as one line (a công văn's "V/v …" level with the place-date line), its
    words still fall on their side of it."""
    header = [ln for ln in page.lines if ln.box[1] < _header_bottom(page)]
    # the number line, or where its number was not read (hand-written), the place-date line level with it
    numbered = next((ln.box for ln in header if NUMBER.search(fold(ln.text))), None) or next(
        (ln.box for ln in header if DATE.search(fold(ln.text))), None)
    if numbered:  # not the body's first lines, which may cite a date ("Thực hiện văn bản số … ngày …")
        header = [ln for ln in header if ln.box[1] < numbered[3] + 3 * (numbered[3] - numbered[1])]
    framing = [ln for ln in header if NUMBER.search(fold(ln.text)) or DATE.search(fold(ln.text))
               or has_motto(ln.text)]
    words = [(w.box[0], w.box[2]) for ln in framing or header for w in ln.words]
    if not words:
        return int(COLUMN_SPLIT * page.width)
    # the x that the fewest words cross (a body line that cites a date crosses them all alike), in its widest run
    steps = [int(page.width * (0.3 + 0.25 * k / 60)) for k in range(61)]
    crossed = [sum(a < x < b for a, b in words) for x in steps]
    best: list[int] = []
    run: list[int] = []
    for x, n in zip(steps, crossed, strict=True):
        run = [*run, x] if n == min(crossed) else []
        best = run if len(run) > len(best) else best
    return best[len(best) // 2]


def header_columns(page: HocrPage, zone: float | None = None) -> tuple[list[Line], list[Line]]:
    """The left and right parts of the header lines (of the top ``zone`` of the page, by default the header's),
    split at the gutter (``header_gutter``)."""
    lines = header_lines(page) if zone is None else [ln for ln in page.lines if ln.box[1] < page.height * zone]
    return split_columns(lines, page.width, header_gutter(page) / page.width)


def left_header_box(page: HocrPage) -> tuple[int, int, int, int]:
    """Box of the left header column (issuing body, ``Số:``, ``V/v``), cut where the page's OCR found no word or
    line. Read again on its own it reads better than in Tesseract's layout of the whole page (the right column,
    national title and place-date line, reads as well either way)."""
    return 0, 0, header_gutter(page), _header_bottom(page)


def starts_document(page: HocrPage, filled: dict[str, Any] | None = None) -> bool:
    """A page opens a document when its header has a ``Số:`` line (or, if OCR lost it, a full date line)
    beside the issuing body or the national title.

    An attachment printed after the signed pages does not: a "phụ lục" or a "quy định ban hành kèm theo"
    has no ``Số:`` line even when it repeats the header columns, and an attached draft ("dự thảo") leaves
    both its number and its day blank — unless digits were written into them by hand (``filled``: the
    blanks read as hand-written, see ``sohoa.digits``), which Tesseract may not have read at all.
    """
    opening = _opening(page)
    return opening if opening is not None else any((filled or {}).get(k, [""])[0] for k in ("number", "day"))


def may_start_document(page: HocrPage) -> bool:
    """Whether a page opens a document, or does if its blank number or day holds hand-written digits."""
    return _opening(page) is not False


# the line under an annex's title that names what it is attached to; its date is that document's
_ANNEX = re.compile(r"^\W*(?:BAN HANH )?KEM THEO\b")


def _opening(page: HocrPage) -> bool | None:
    """``starts_document`` from the OCR alone: None when the number and the day are both blank."""
    top = [ln for ln in page.lines if ln.box[1] < page.height * 0.3]
    folded = [fold(ln.text) for ln in top]
    if any(re.sub(r"[^A-Z]", "", text) == "DUTHAO" for text in folded):  # the draft's own mark, alone on a line
        return False
    if any(_ANNEX.match(text) for text in folded):  # "(Kèm theo Tờ trình số 525/… ngày 02 tháng 4 năm 2008 …)"
        return False
    motto = any(has_motto(ln.text) for ln in top)
    left, right = header_columns(page, 0.3)
    numbers = [m for ln in left if (m := NUMBER.search(fold(ln.text)))]
    dated = DATE.search(fold(" ".join(ln.text for ln in right))) is not None
    if not numbers:
        attached = any("KEM THEO" in text for text in folded)
        if motto and not attached and any(NUMBER_START.match(fold(ln.text)) for ln in left):
            # "Số:" with what follows read as no number and symbol ("Số: /“-9/KH-HĐND", a hand-written number
            # read as signs with a slash): as a blank number, the day's digits or the pen's decide
            return True if dated else None
        return motto and not attached and dated
    if not (motto or any(is_upper(ln.text) for ln in left)):
        return False
    return True if dated or numbers[0].group(1) else None


def has_motto(text: str) -> bool:
    """The national title or the motto, read with or without spaces and tone marks."""
    squeezed = fold(text).replace(" ", "")
    return any(key in squeezed for key in ("CONGHOA", "XAHOICHUNGHIA", "CHUNGHIAVIET", "DOCLAP-TUDO", "TUDO-HANH"))


def segment(pages: list[HocrPage], filled: list[dict[str, Any]] | None = None) -> list[list[int]]:
    """Indices of the pages of each document: a new document opens at a page with a document header.
    ``filled``: per page, its blanks read as hand-written digits."""
    groups: list[list[int]] = []
    for i, page in enumerate(pages):
        if not groups or starts_document(page, filled[i] if filled else None):
            groups.append([i])
        else:
            groups[-1].append(i)
    return groups
