"""The header and signer lines of a page read a second time, by asterocr (``sohoa.linereader``).

Tesseract's reading of a page stays what the text layer, ALTO and extraction are made of. Beside it, the OCR
worker reads again, one by one, the lines where the fields are: on a page that opens a document, the header
lines above the body (issuing body, ``Số:``, place-date line, type; not the national title and motto, nor the
running text of the trích yếu), and on a page with a closing block the lines of its right column (authority, title, name). Each line
is cut from the OCR working copy by its hOCR box, padded, and read; the readings are stored in the page's
``blocks.json`` as ``aster_header`` and ``aster_signer`` (with, where Tesseract read no sure name, the
signer's name line found by its letters: ``read_name``), in the hOCR JSON form of the other blocks
(``hocr.to_json``: lines of ``[text, confidence 0..100, x0, y0, x1, y1]`` words, page coordinates; a word's x
extent comes from the network's frames, its y extent is its line's). A line the second reader reads as
nothing is left out. Extraction pairs a reading with Tesseract's line by their boxes.

The lines are bounded (``MOST_HEADER``, ``MOST_SIGNER``), so the cost per page is too.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, TypeVar

from sohoa import hocr
from sohoa.hocr import HocrPage, Line
from sohoa.vocab import fold

log = logging.getLogger(__name__)

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


def running_text(text: str) -> bool:
    """A line of running text in small letters without digits or a date (the trích yếu's): Tesseract reads
    those better than asterocr (benchmarks/second_reader.py), so the worker does not read them again."""
    letters = [ch for ch in text if ch.isalpha()]
    small = sum(ch.islower() for ch in letters)
    folded = fold(text)
    return small > len(letters) / 2 and not any(ch.isdigit() for ch in text) and not (
        "NGAY" in folded or "THANG" in folded)


def header_lines(page: HocrPage, text_lines: bool = False) -> list[Line]:
    """The lines (``segments``) of a page opening a document that hold its header fields, top to bottom; the
    lines of running text among them (``running_text``) only with ``text_lines``."""
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
    return chosen if text_lines else [ln for ln in chosen if not running_text(ln.text)]


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


def crop(image: Any, box: tuple[int, int, int, int]) -> tuple[Any, tuple[int, int, int, int]]:
    """The grey pixels (numpy) of a line's box on a page image (PIL), padded by ``PAD`` of its height, and the
    padded box."""
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
        words = _placed(linereader.read(pixels), area[0], line.box[1], line.box[3])
        if words:
            read.append(Line(words))
    return hocr.to_json(read)


def _placed(reading: Any, x: int, y0: int, y1: int) -> list[hocr.Word]:
    """The words of a line reader's reading of a crop whose left edge is at ``x`` on the page, between ``y0`` and
    ``y1``: page coordinates, confidence 0..100."""
    return [hocr.Word(w.text, round(100 * w.confidence, 1), (x + w.x0, y0, x + w.x1, y1)) for w in reading.words]


def read_again(image: Callable[[], Any], page: HocrPage, opening: bool,
               name_in: tuple[int, int, int, int] | None = None, dpi: int = 0,
               left_column: list[Line] | None = None) -> dict[str, Any]:
    """The ``blocks.json`` entries of one page: ``aster_header`` (only when ``opening``) and ``aster_signer``,
    each only when it has lines; ``image`` gives the page image (PIL), decoded only when a line is read.
    ``name_in``: a signer block (box at ``dpi``) where Tesseract read no sure name: its name's line is looked for
    and read too (``read_name``), last of ``aster_signer``. ``left_column``: the left header column read again on
    its own, whose lines the page's layout lost (``lost_lines``) are read as header lines too.

    The second reading only adds candidates to Tesseract's: when it fails, the page keeps its OCR and the reason
    is logged and stored as ``aster_error``."""
    found: dict[str, Any] = {}
    header = sorted(header_lines(page) + lost_lines(page, left_column or []), key=lambda ln: ln.box[1]) if opening else []
    for key, lines in (("aster_header", header[:MOST_HEADER]), ("aster_signer", signer_lines(page))):
        try:
            if lines and (read := read_lines(image(), lines)):
                found[key] = read
            if key == "aster_signer" and name_in and (name := read_name(image(), name_in, dpi)):
                found.setdefault(key, []).append(name)
        except Exception as exc:  # any failure of the second reader: reported, the page goes on
            log.warning("second reader failed on the %s lines: %s: %s", key[6:], type(exc).__name__, exc)
            reason = f"{key}: {type(exc).__name__}: {exc}"
            found["aster_error"] = f"{found['aster_error']}; {reason}" if "aster_error" in found else reason
    return found


def lost_lines(page: HocrPage, column: list[Line]) -> list[Line]:
    """The lines of the left header column read again on its own (``column``) that the page's layout has none of
    on their row (``paired``): a bold name whose rule runs through its letters, which the layout dropped."""
    return [ln for ln in segments(column) if _letters(ln.text) >= 2 and ln.box[1] < HEADER_DEPTH * page.height
            and not running_text(ln.text) and paired(ln, page.lines) is None]


def read_name(image: Any, box: tuple[int, int, int, int], dpi: int) -> list[list[Any]] | None:
    """The lowest line of print in a signer block (``box`` on the page image, PIL) read by the second reader, in
    the hOCR JSON form of one line; None when there is none, or it reads as nothing.

    A seal stamped over the signer's name, or a signature drawn across it, makes Tesseract's layout skip the name
    or read it with them as one tall garbled line; the name's own letters still stand on one baseline
    (``images.lowest_line``), and the second reader reads the line cut to them.
    """
    import numpy as np

    from sohoa import linereader
    from sohoa.images import lowest_line

    grey = np.asarray(image.crop(box).convert("L"))
    line = lowest_line(grey, dpi)
    if line is None:
        return None
    x0, y0, x1, y1 = line
    words = _placed(linereader.read(grey[y0:y1, x0:x1]), box[0] + x0, box[1] + y0, box[1] + y1)
    return hocr.to_json([Line(words)])[0] if words else None


# ---- combining the two readings of a line (for extraction to call; measured in benchmarks/second_reader.py) ----

@cache
def _toned() -> frozenset[str]:
    """Every syllable as written (lower case, modern tone placement) of the dictionary's words and of the names
    and titles of the header vocabularies (provinces, family names, units, signers' titles)."""
    from sohoa.lexicon import WORDS
    from sohoa.vocab import PLACES, SIGNER_TITLES, SURNAMES, UNIT_WORDS, modern_tones

    names = " ".join((*PLACES, *SIGNER_TITLES, *SURNAMES, *UNIT_WORDS))
    text = WORDS.read_text(encoding="utf-8") + "\n" + names
    return frozenset(s for s in modern_tones(text.lower()).split() if s.isalpha())


def _known(word: str) -> bool:
    from sohoa.vocab import modern_tones

    return modern_tones(word.strip(".,;:!?()\"'“”‘’-")).lower() in _toned()


def _digits(word: str) -> int:
    return sum(ch.isdigit() for ch in word)


def combine_word(tesseract: str, aster: str) -> str:
    """One word of a line as the two readers read it, the one to keep:

    - a word with digits: asterocr's unless it has fewer digits (Tesseract loses and changes hand-filled and
      stamped digits: "/QĐ-UBND" for "87/QĐ-UBND", "454" for "154");
    - the same letters with other marks: the one whose syllable the dictionary or the header vocabularies know,
      if only one is; else on capitals asterocr's (Tesseract's ``vie`` drops and swaps the marks stacked on
      capitals: "QUYÉT", "ĐÒNG"), on small letters Tesseract's (asterocr confuses the hook and the tilde there:
      "triễn", "bỗ");
    - other letters: asterocr's when only it reads a known syllable, else Tesseract's.
    """
    if tesseract == aster:
        return tesseract
    if _digits(tesseract) or _digits(aster):
        return aster if _digits(aster) >= _digits(tesseract) else tesseract
    known_t, known_a = _known(tesseract), _known(aster)
    if fold(tesseract) == fold(aster):
        if known_t != known_a:
            return tesseract if known_t else aster
        return aster if aster.isupper() else tesseract
    return aster if known_a and not known_t else tesseract


def combine(tesseract: str, aster: str) -> str:
    """A line as the two readers read it (``combine_words`` of their words)."""
    return " ".join(combine_words(tesseract.split(), aster.split(), str))


T = TypeVar("T")


def combine_words(tesseract: Sequence[T], aster: Sequence[T], text: Callable[[T], str]) -> list[T]:
    """The words of a line as the two readers read it (strings, or ``hocr.Word``s whose ``text`` gives the
    string): their words paired where the readings line up (the same letters, or as many words in between), each
    pair decided by ``combine_word``; a word only Tesseract read is kept, a word only asterocr read is added when
    it holds digits (a hand-filled number Tesseract lost)."""
    from difflib import SequenceMatcher

    t_text, a_text = [text(w) for w in tesseract], [text(w) for w in aster]
    out: list[T] = []
    blocks = SequenceMatcher(None, [fold(w) for w in t_text], [fold(w) for w in a_text], autojunk=False)
    for op, i0, i1, j0, j1 in blocks.get_opcodes():
        if op == "equal" or op == "replace" and i1 - i0 == j1 - j0:
            out += [t if combine_word(tt, at) == tt else a
                    for t, a, tt, at in zip(tesseract[i0:i1], aster[j0:j1], t_text[i0:i1], a_text[j0:j1], strict=True)]
        else:
            out += [*tesseract[i0:i1], *(w for w, wt in zip(aster[j0:j1], a_text[j0:j1], strict=True)
                                          if any(ch.isdigit() for ch in wt))]
    return out


# what each kind of line is best read as, first to last: measured on the tuning part of the real scans
# (benchmarks/second_reader.py); asterocr reads capitals, digits and names better, Tesseract running text
ASTER_FIRST = ("agency", "number", "place_date", "type", "signer_name")


def order(kind: str) -> tuple[str, str, str]:
    """The readings of a line of ``kind``, the likeliest first: for the kinds of ``ASTER_FIRST`` asterocr's
    ("aster"), then the two combined (``combine``: "combined"), then Tesseract's ("tesseract"); for a signer's title
    line the combined reading first; for the trích yếu ("subject") and any other line Tesseract's first."""
    if kind in ASTER_FIRST:
        return ("aster", "combined", "tesseract")
    if kind == "signer_title":
        return ("combined", "aster", "tesseract")
    return ("tesseract", "combined", "aster")


def candidates(kind: str, tesseract: str, aster: str) -> list[str]:
    """The readings of a line to try against the vocabularies, in ``order(kind)``, without repeats."""
    texts = {"aster": aster, "combined": combine(tesseract, aster), "tesseract": tesseract}
    return [text for text in dict.fromkeys(texts[source] for source in order(kind)) if text]


def paired(line: Line, readings: list[Line]) -> Line | None:
    """The second reading of a Tesseract line among a page's (``aster_header`` or ``aster_signer``, read with
    ``hocr.from_json``): the one on the same height whose extent overlaps it most, at least half of the shorter."""
    def overlap(other: Line) -> int:
        (a0, b0, a1, b1), (c0, d0, c1, d1) = line.box, other.box
        same_row = min(b1, d1) - max(b0, d0) >= 0.5 * min(b1 - b0, d1 - d0)
        return max(0, min(a1, c1) - max(a0, c0)) if same_row else 0

    best = max(readings, key=overlap, default=None)
    if best is None or overlap(best) < 0.5 * min(line.box[2] - line.box[0], best.box[2] - best.box[0]):
        return None
    return best
