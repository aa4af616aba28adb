"""The header and signer lines of a page read a second time, by asterocr (``sohoa.linereader``).

Tesseract's reading of a page stays what the text layer, ALTO and extraction are made of. Beside it, the OCR
worker reads again, one by one, the lines where the fields are: on a page that opens a document, the header
lines above the body (issuing body, ``Số:``, place-date line, type, trích yếu; not the national title and
motto), and on a page with a closing block the lines of its right column (authority, title, name). Each line
is cut from the OCR working copy by its hOCR box, padded, and read; the readings are stored in the page's
``blocks.json`` as ``aster_header`` and ``aster_signer``, in the hOCR JSON form of the other blocks
(``hocr.to_json``: lines of ``[text, confidence 0..100, x0, y0, x1, y1]`` words, page coordinates; a word's x
extent comes from the network's frames, its y extent is its line's). A line the second reader reads as
nothing is left out. Extraction pairs a reading with Tesseract's line by their boxes.

The lines are bounded (``MOST_HEADER``, ``MOST_SIGNER``), so the cost per page is too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sohoa import hocr
from sohoa.hocr import HocrPage, Line
from sohoa.vocab import fold

HEADER_DEPTH = 0.45  # share of the page height above which the header, type and trích yếu lines lie
MOST_HEADER = 16  # header lines read again at most
MOST_SIGNER = 8  # signer lines read again at most
SIGNER_DEPTH = 0.35  # share of the page height the signer block reaches below the closing block's top
GAP = 1.5  # a space between two words wider than this many line heights parts two columns
PAD = 0.2  # of the line's height, added around its box before it is read
# the national title and motto (the right column's first lines): printed the same on every document
_FIXED = ("CONGHOA", "XAHOICHU", "CHUNGHIAVIET", "DOCLAP", "TUDO-HANH", "TUDOHANH")
# the first line of the body: what follows is text, not fields
_BODY = re.compile(r"^\W*(?:CAN CU|KINH GUI|THUC HIEN|XET DE NGHI|THEO DE NGHI|DIEU \d)")
# the closing block: "Nơi nhận:" (also read "Nui nhận", "Mơi nhận"), or "- Lưu: VT" when that line is lost
_RECIPIENTS = re.compile(r"\W*[NM]\w{2} ?NHAN\b")
_KEPT = re.compile(r"\W*LUU\W*V")


def _letters(text: str) -> int:
    return sum(ch.isalnum() for ch in text)


def segments(lines: list[Line]) -> list[Line]:
    """The lines cut where their words are further apart than ``GAP`` times the line's height: Tesseract's
    layout may read both header columns (or "Nơi nhận:" and the signer's title) as one line, which a line
    reader would read as one run of text."""
    out: list[Line] = []
    for line in lines:
        height = line.box[3] - line.box[1]
        part = [line.words[0]]
        for word in line.words[1:]:
            if word.box[0] - part[-1].box[2] > GAP * height:
                out.append(Line(part))
                part = []
            part.append(word)
        out.append(Line(part))
    return out


def header_lines(page: HocrPage) -> list[Line]:
    """The lines (``segments``) of a page opening a document that hold its header fields, top to bottom."""
    chosen: list[Line] = []
    for line in sorted(segments(page.lines), key=lambda ln: (ln.box[1], ln.box[0])):
        if line.box[1] >= HEADER_DEPTH * page.height or len(chosen) >= MOST_HEADER:
            break
        folded = fold(line.text)
        if len(chosen) >= 3 and _BODY.match(folded):
            break
        if chosen and line.box[1] > chosen[-1].box[3] + 4 * (line.box[3] - line.box[1]):
            break  # past the trích yếu: a wide space, then the body
        squeezed = folded.replace(" ", "")
        if _letters(line.text) < 2 or any(key in squeezed for key in _FIXED):
            continue
        chosen.append(line)
    return chosen


def closing_top(page: HocrPage) -> int | None:
    """Top of the closing block (recipients on the left, signer on the right), None on a page without one."""
    left = sorted((ln for ln in segments(page.lines) if ln.box[0] < page.width / 2), key=lambda ln: ln.box[1])
    if line := next((ln for ln in left if _RECIPIENTS.match(fold(ln.text))), None):
        return line.box[1]
    kept = [ln for ln in left if _KEPT.match(fold(ln.text))]
    return max(0, kept[-1].box[1] - int(0.15 * page.height)) if kept else None


def signer_lines(page: HocrPage) -> list[Line]:
    """The lines (``segments``) of the signer block: the right column under the closing block's top."""
    top = closing_top(page)
    if top is None:
        return []
    bottom = top + SIGNER_DEPTH * page.height
    right = [ln for ln in segments(page.lines) if (ln.box[0] + ln.box[2]) / 2 > page.width / 2
             and top - (ln.box[3] - ln.box[1]) <= ln.box[1] < bottom and _letters(ln.text) >= 2]
    return sorted(right, key=lambda ln: ln.box[1])[:MOST_SIGNER]


def crop(image: Any, box: tuple[int, int, int, int]) -> Any:
    """The grey pixels (numpy) of a line's box on a page image (PIL), padded by ``PAD`` of its height."""
    import numpy as np

    x0, y0, x1, y1 = box
    pad = max(2, round(PAD * (y1 - y0)))
    area = (max(0, x0 - pad), max(0, y0 - pad), min(image.width, x1 + pad), min(image.height, y1 + pad))
    return np.asarray(image.crop(area).convert("L")), area


def read_lines(image: Any, lines: list[Line]) -> list[list[list[Any]]]:
    """Each line read by the second reader, in the hOCR JSON form (see the module's docstring)."""
    from sohoa import linereader

    read: list[Line] = []
    for line in lines:
        pixels, area = crop(image, line.box)
        reading = linereader.read(pixels)
        y0, y1 = line.box[1], line.box[3]
        words = [hocr.Word(w.text, round(100 * w.confidence, 1), (area[0] + w.x0, y0, area[0] + w.x1, y1))
                 for w in reading.words]
        if words:
            read.append(Line(words))
    return hocr.to_json(read)


def read_again(image: Callable[[], Any], page: HocrPage, opening: bool) -> dict[str, list]:
    """The ``blocks.json`` entries of one page: ``aster_header`` (only when ``opening``) and ``aster_signer``,
    each only when it has lines; ``image`` gives the page image (PIL), decoded only when a line is read."""
    found: dict[str, list] = {}
    for key, lines in (("aster_header", header_lines(page) if opening else []), ("aster_signer", signer_lines(page))):
        if lines and (read := read_lines(image(), lines)):
            found[key] = read
    return found
