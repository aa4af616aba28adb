"""Split a dossier's OCR pages into documents and read each document's metadata (STANDARDS.md §4).

Works on the layout Tesseract found (word boxes from hOCR), not only on the text: the header of an
administrative document is two columns (issuing body and ``Số:`` on the left, national title and
place-date line on the right), the type name and trích yếu are centred under it, and the signer block
sits at the bottom right of the last page.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher
from itertools import dropwhile, takewhile
from typing import Any, TypeVar

from sohoa import hocr
from sohoa.hocr import HocrPage, Line, Word
from sohoa.lexicon import is_syllable, is_word, restore_tones, toneless, unglue
from sohoa.vocab import (
    AUTHORITY_PREFIXES,
    PLACES,
    SECRECY_MARKS,
    SIGNER_TITLES,
    SURNAMES,
    TYPE_ABBREVIATIONS,
    TYPE_CODES,
    UNIT_WORDS,
    URGENCY_MARKS,
    fold,
)
from sohoa.workspace import DossierWork, Page, read_json, write_json

log = logging.getLogger(__name__)
T = TypeVar("T")

HEADER_ZONE = 0.42  # share of page height where the header block lies
COLUMN_SPLIT = 0.47  # share of page width between the left and right header columns
REQUIRED = ("document_type", "issued_date", "issuing_agency", "subject")
REVIEW_BELOW = 0.5  # a required field with a lower confidence sends the document to review

# words that open an issuing unit's name; a header line starting otherwise continues the previous unit
UNIT_STARTS = (
    "UBND", "UY BAN", "BO ", "SO ", "CUC ", "CHI CUC", "TONG CUC", "VU ", "BAN ", "PHONG ", "VAN PHONG",
    "TRUNG TAM", "HOI DONG", "TRUONG ", "BENH VIEN", "THANH TRA", "DANG UY", "CONG TY", "VIEN ", "THU TUONG",
    "CHINH PHU", "KHO BAC", "TOA AN", "VIEN KIEM SAT", "BO CHI HUY", "CONG AN", "DOAN ", "HOC VIEN",
)
BODY_STARTS = ("CAN CU", "KINH GUI", "THUC HIEN", "DIEU ", "XET DE NGHI", "THEO DE NGHI", "NHAM ")
NOT_BODY = ("nhâm",)  # folds like "Nhằm" but is the stem of a lunar year in a subject: "Tết Nguyên đán Nhâm Dần"
STAMP_LINE_CONF = 0.5  # a line read with less mean confidence is a stamp's or a signature's, not the text's
GARBAGE_CONF = 40  # below it, a word that is no syllable is what a stamp or signature printed over the text made


def snap(text: str, phrases: Sequence[str], upper: bool = False) -> str:
    """Replace runs of words that read, without tone marks, as a known phrase by that phrase as printed:
    OCR keeps the letters of bold capitals but often loses or changes their marks ("TĨNH QUẢNG NGÁI")."""
    words = text.split()
    out: list[str] = []
    i = 0
    while i < len(words):
        for phrase in phrases:
            target = phrase.upper() if upper else phrase
            size = len(target.split())
            if fold(" ".join(words[i:i + size])) == fold(target):
                out.append(target)
                i += size
                break
        else:
            out.append(words[i])
            i += 1
    return " ".join(out)


_SNAP_UNITS = sorted(UNIT_WORDS + PLACES, key=lambda p: -len(p.split()))
_TYPE_KEYS = [(name, fold(name).replace(" ", "")) for name in TYPE_CODES]
_TITLE_KEYS = [(title, fold(title)) for title in SIGNER_TITLES]


def _letters(text: str) -> str:
    return "".join(ch for ch in text if ch.isalpha())


def is_upper(text: str) -> bool:
    letters = _letters(text)
    return len(letters) >= 2 and sum(ch.isupper() for ch in letters) >= 0.8 * len(letters)


def _similar(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b).ratio()


def _closest(key: str, choices: Sequence[tuple[str, str]], least: float) -> str | None:
    """The choice (name, folded key) most ``_similar`` to ``key``, the first of equals, if at least ``least``
    similar. difflib's cheap upper bounds of the ratio skip the choices that cannot beat the best so far."""
    best, top = None, least
    for name, target in choices:
        matcher = SequenceMatcher(None, key, target)
        if (matcher.real_quick_ratio() < top or matcher.quick_ratio() < top or (ratio := matcher.ratio()) < top
                or (best is not None and ratio == top)):  # a later one of equals does not replace the first
            continue
        best, top = name, ratio
    return best


def _conf(words: list[Word]) -> float:
    """Mean confidence of the words that hold a letter or digit (not of the rules and specks read beside them)."""
    words = [w for w in words if any(ch.isalnum() for ch in w.text)] or words
    return round(sum(w.conf for w in words) / len(words) / 100, 2) if words else 0.0


def _words(text: str) -> str:
    """The words of a header line without the stray signs and lone letters that stamps and rules leave, words
    read glued together split again."""
    return " ".join(unglue(w) for w in _clean_spaces(text).split() if len(_letters(w)) >= 2 or w.isdigit())


def _clean_spaces(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" \t|_—–-:;,.")


def split_columns(lines: list[Line], width: int, split: float = COLUMN_SPLIT) -> tuple[list[Line], list[Line]]:
    """The left and right parts of header lines (a Tesseract line may run across both columns)."""
    left, right = [], []
    cut = width * split
    for line in lines:
        lw = [w for w in line.words if w.cx < cut]
        rw = [w for w in line.words if w.cx >= cut]
        if lw:
            left.append(Line(lw))
        if rw:
            right.append(Line(rw))
    return left, right


def _free_cut(spans: list[tuple[int, int]], lo: float, hi: float, aim: float) -> int:
    """A coordinate in [lo, hi] that cuts the fewest of ``spans`` (closest to ``aim`` among equals)."""
    steps = [lo + (hi - lo) * k / 30 for k in range(31)]
    return int(min(steps, key=lambda c: (sum(a < c < b for a, b in spans), abs(c - aim))))


def left_read_surely(page: HocrPage) -> bool:
    """Whether the page's own layout read the left header column surely (the issuing body and a ``Số:`` line,
    every line at 90 % or more), so that reading it again on its own (``left_header_box``) cannot add to it."""
    left, _ = split_columns(_header(page), page.width)
    lines = [ln for ln in left if len(_letters(ln.text)) >= 2]
    number = next((ln for ln in lines if _NUMBER.search(fold(ln.text))), None)
    return len(lines) >= 3 and number is not None and all(w.conf >= SURE for w in number.words) and all(
        ln.conf >= SURE for ln in lines)


def left_header_box(page: HocrPage) -> tuple[int, int, int, int]:
    """Box of the left header column (issuing body, ``Số:``, ``V/v``), cut where the page's OCR found no word or
    line. Read again on its own it reads better than in Tesseract's layout of the whole page (the right column,
    national title and place-date line, reads as well either way)."""
    bottom = _free_cut([(ln.box[1], ln.box[3]) for ln in page.lines], 0.25 * page.height, 0.34 * page.height,
                       0.3 * page.height)
    header = [ln for ln in page.lines if ln.box[1] < bottom]
    # the lines that certainly hold both columns (national title, motto, number and date), not stamps
    framing = [ln for ln in header if _NUMBER.search(fold(ln.text)) or _DATE.search(fold(ln.text))
               or _has_motto(ln.text)]
    words = [(w.box[0], w.box[2]) for ln in framing or header for w in ln.words]
    # the gutter between the columns: the widest band of x crossed by no word of the header
    steps = [int(page.width * (0.3 + 0.25 * k / 60)) for k in range(61)]
    best: list[int] = []
    run: list[int] = []
    for x in steps:
        run = [*run, x] if not any(a < x < b for a, b in words) else []
        best = run if len(run) > len(best) else best
    split = best[len(best) // 2] if best else _free_cut(words, 0.4 * page.width, 0.55 * page.width,
                                                         COLUMN_SPLIT * page.width)
    return 0, 0, split, bottom


def _header(page: HocrPage) -> list[Line]:
    return [ln for ln in page.lines if ln.box[1] < page.height * HEADER_ZONE]


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


def _opening(page: HocrPage) -> bool | None:
    """``starts_document`` from the OCR alone: None when the number and the day are both blank."""
    top = [ln for ln in page.lines if ln.box[1] < page.height * 0.3]
    folded = [fold(ln.text) for ln in top]
    if any(re.sub(r"[^A-Z]", "", text) == "DUTHAO" for text in folded):  # the draft's own mark, alone on a line
        return False
    motto = any(_has_motto(ln.text) for ln in top)
    left, right = split_columns(top, page.width)
    numbers = [m for ln in left if (m := _NUMBER.search(fold(ln.text)))]
    dated = _DATE.search(fold(" ".join(ln.text for ln in right))) is not None
    if not numbers:
        attached = any("KEM THEO" in text for text in folded)
        return motto and not attached and dated
    if not (motto or any(is_upper(ln.text) for ln in left)):
        return False
    return True if dated or numbers[0].group(1) else None


def _has_motto(text: str) -> bool:
    """The national title or the motto, read with or without spaces and tone marks."""
    squeezed = fold(text).replace(" ", "")
    return any(key in squeezed for key in ("CONGHOA", "XAHOICHUNGHIA", "CHUNGHIAVIET", "DOCLAP-TUDO", "TUDO-HANH"))


# "Số: 05/QĐ-UBND", "Số: 7/2025/QĐ-UBND", "Số:   /QĐ-UBND" (number left blank), "Số: 345UBND-VX" (OCR lost "/")
# a hand-written number that OCR cannot read comes out as a few stray signs ("Số: ⁄‡4 /CT-UBND")
_SO = r"^[\W_]{0,8}S[O0]\s*"  # "Số" after up to eight specks or dots
_NUMBER_START = re.compile(rf"{_SO}(?:[:;.,]|\s+\d)")
# a number written by hand may be read with a space inside ("2 5", "?4 7"), or glued to "Số" ("số02/UBND-KT"),
# or as signs before the "/" that are no symbol ("Số: 0J_ /TTr-UBND", "Số: 14⁄1/VTLTNN-VP");
# a symbol opens with digits only as a year ("Số: 12/2025/QĐ-TTg", "Số:    /2025/QĐ-UBND")
# and its 1 read as "l" or "I" ("l1"), or a speck after it ("542_")
_NUMBER = re.compile(rf"{_SO}(?:[:;.,]\s*|\s*(?=\d))((?=[\dLI|]*\d)[\dLI|]{{1,5}}(?: \d{{1,3}})?"
                     r"|[^/\s]{0,6}?(?: [^/\s]{1,3}(?=\s*/))?)"
                     r"[\s_.]*(?:/\s*)?(?![^/\s]*\s+/|\d(?!\d{3}/)[^/\s]*/)([A-Z0-9]{2}.*)$")
_AS_DIGIT = str.maketrans("lI|", "111")
_SYMBOL = re.compile(r"[^\W_]+(?:[/-][^\W_]+)*")
# a letter OCR made of a speck or a stroke may stand glued before the digits of the day or month ("tháng Z7");
# not "l" or "I", which are a 1 misread ("ngày l3" is the 13th, not the 3rd)
_STRAY = r"([A-HJKM-Z](?=\d))?"
_DATE = re.compile(rf"NGAY\W{{0,2}}{_STRAY}(\d{{1,2}})\W{{0,2}}THANG\W{{0,2}}{_STRAY}(\d{{1,2}})\W{{0,2}}NAM\W{{0,2}}(\d{{4}})")
_CITING = ("CAN CU", "DE NGHI", "LUAT ", "NGHI DINH", "THONG TU", "QUYET DINH")  # never in a place-date line
_DATE_NO_DAY = re.compile(rf"THANG\W{{0,2}}{_STRAY}(\d{{1,2}})\W{{0,2}}NAM\W{{0,2}}(\d{{4}})")


@dataclass
class Extraction:
    metadata: dict[str, Any] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)

    def put(self, name: str, value: Any, conf: float) -> None:
        self.metadata[name] = value
        self.confidence[name] = round(conf, 2) if value is not None else 0.0

    @property
    def needs_review(self) -> bool:
        """A required field empty or unsure, or a date without its day (TT 05 wants the day of issue)."""
        return any(self.metadata.get(f) is None or self.confidence.get(f, 0) < REVIEW_BELOW for f in REQUIRED) or (
            len(self.metadata.get("issued_date") or "") != len("YYYY-MM-DD"))


def _agency(lines: list[Line]) -> tuple[str | None, str | None, float]:
    """(parent agency, issuing agency, confidence) from the left header lines above ``Số:``."""
    units: list[list[Line]] = []
    for line in lines:
        text = _clean_spaces(line.text)
        if len(_letters(text)) < 2 or not is_upper(text) or _stamp_text(text):
            continue
        key = fold(text)
        previous = fold(_clean_spaces(units[-1][-1].text)) if units else ""
        if not units or (key.startswith(UNIT_STARTS) and not previous.endswith((" VA", " CUA"))
                         and previous != "THU TUONG"):
            units.append([line])
        else:
            units[-1].append(line)
    if not units:
        return None, None, 0.0
    agency = snap(" ".join(_words(ln.text) for ln in units[-1]), _SNAP_UNITS, upper=True)
    parent = snap(" ".join(_words(ln.text) for u in units[:-1] for ln in u), _SNAP_UNITS, upper=True) or None
    return parent, agency, _conf([w for ln in units[-1] for w in ln.words])


# the box a digital signature prints on an e-office copy ("Người ký: …", "Email: …", "Cơ quan: …", "Thời gian ký:
# …") and the stamp of the Government portal that publishes copies ("CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ")
_SIGNATURE_BOX = re.compile(r"\b(?:KY|EMAIL|CO QUAN|THOI GIAN)\s*:")
_PORTAL = "CONG THONG TIN DIEN TU CHINH PHU"


def _stamp_text(text: str) -> bool:
    """Whether a header line is the text of a signature box or of the portal's stamp, not of the letterhead."""
    folded = fold(text)
    return bool(_SIGNATURE_BOX.search(folded)) or _similar(folded, _PORTAL) >= 0.8


def _number(text: str) -> tuple[str | None, str | None]:
    folded = fold(text)
    m = _NUMBER.search(folded)
    if not m:
        return None, None
    raw = text[m.start(1):m.end(1)].replace(" ", "").translate(_AS_DIGIT)
    number = raw if raw.isdigit() else None
    symbol = re.sub(r"\s+", "", text[m.start(2):]).replace("—", "-").replace("–", "-")
    found = _SYMBOL.match(symbol)
    return number, found.group(0) if found else None


def _date_place(lines: list[Line]) -> tuple[str | None, str | None, float, Line | None]:
    candidates = [ln.text for ln in lines]
    candidates += [a.text + " " + b.text for a, b in zip(lines, lines[1:], strict=False)]
    for i, text in enumerate(candidates):
        folded = fold(text)
        m = _DATE.search(folded)
        day: int | None = None
        if m:
            day, month, year = int(m.group(2)), int(m.group(4)), int(m.group(5))
            stray = bool(m.group(1) or m.group(3))
        else:
            m = _DATE_NO_DAY.search(folded)
            if not m:
                continue
            month, year, stray = int(m.group(2)), int(m.group(3)), bool(m.group(1))
        try:
            issued = date(year, month, day or 1)
        except ValueError:
            if not day or not 1 <= month <= 12:
                continue
            day = None  # a day OCR misread past the month's end ("ngày 80"): the month is still known
        iso = issued.isoformat() if day else f"{year:04d}-{month:02d}"
        day_word = folded.rfind("NGAY", 0, m.start() + 1)  # also where a hand-written day was not read
        place_part = text[: day_word if day_word >= 0 else m.start()]
        if any(ch.isdigit() for ch in "".join(place_part.split()[-1:])) or any(
                word in folded[:len(place_part)] for word in _CITING):
            continue  # "Căn cứ Nghị định số 86/2023/NĐ-CP ngày 07 tháng 12 năm 2023": a date cited in the body
        place = _clean_spaces(place_part.rsplit(",", 1)[0] if "," in place_part else place_part) or None
        known = [p for p in PLACES if place and fold(p) in fold(place)]
        if known:  # as printed, without a stamp's or a stray sign's letters around it
            place = max(known, key=len)
        src = lines[i] if i < len(lines) else lines[i - len(lines) + 1]
        conf = _conf(src.words) * (0.5 if stray else 1.0)  # a letter read among the digits: for review
        return iso, place, conf if day else conf * 0.6, src
    for line in lines:  # no date could be read (written by hand): the place of "<place>, ngày …" if it is known
        folded = fold(line.text)
        day_word = folded.find("NGAY")
        known = [p for p in PLACES if day_word > 0 and fold(p) in folded[:day_word]]
        if known:
            return None, max(known, key=len), 0.5 * _conf(line.words), line
    return None, None, 0.0, None


# A number or a day filled in by hand after printing: Tesseract, trained on print, reads it with low confidence or
# as signs ("Số: 0J_ /TTr-UBND", "ngày4Otháng"). Such a blank is read again by ``sohoa.digits`` (see ``slots``).
SURE = 90  # a word confidence under which a number, day or month may be hand-written
HAND_MIN = 0.25  # below this probability a hand-written reading is not used
_KEYS = {"number": r"^[\W_]*S[O0]", "day": "NGAY", "month": "THANG"}  # the word each blank follows


def _printed(line: Line, key: str) -> tuple[float, bool] | None:
    """How Tesseract read the value after ``key`` on a line: (its confidence, whether it reads as digits). The
    value is the rest of the key's own word when it is glued to it ("ngày4Otháng"), else the next word."""
    words = line.words
    for i, word in enumerate(words):
        m = re.search(_KEYS[key], fold(word.text))
        if m:
            text, conf = word.text[m.end():], word.conf
            if not any(ch.isdigit() for ch in text):
                if i + 1 == len(words):
                    return None
                text, conf = words[i + 1].text, words[i + 1].conf
            if key == "number":  # up to the symbol: "Số: 45/2025/QĐ-UBND"
                text = text.split("/")[0]
            digits = re.sub(r"^[:;.,]+|[:;.,]*(?:THANG|NAM)?$", "", fold(text)).isdigit()
            return (conf, digits) if text.strip() else None
    return None


def unsure(line: Line, key: str) -> bool:
    """Whether the number (``key`` "number"), day or month on a line was not read as digits with confidence."""
    printed = _printed(line, key)
    return printed is None or printed[0] < SURE or not printed[1]


_BLANKS = {"number": r"^\W{0,3}(?P<k>S[O0])[^/]{0,9}?(?P<n>/)", "day": r"(?P<k>NGA[YVWX]).{0,6}?(?P<n>.?HANG)",
           "month": r"(?P<k>T?HANG).{0,6}?(?P<n>NAM)"}


def slots(chars: list[tuple[str, tuple[int, int, int, int]]]) -> dict[str, tuple[int, int, int]]:
    """Where the blanks are on a line read character by character (text, box): after "Số:" up to the "/" of the
    symbol ("number"), between "ngày" and "tháng" ("day"), between "tháng" and "năm" ("month").

    For each: (x where the word before the blank starts, x it ends at, x where the word after it starts).
    Tesseract's boxes for characters it did read are good at their start; the last letter before writing it
    could not read often stretches over it, so the word's end is taken from its other letters.
    """
    folded = [(ch, box) for text, box in chars for ch in fold(text)]
    text = "".join(ch for ch, _ in folded)
    found = {}
    for key, pattern in _BLANKS.items():
        m = re.search(pattern, text)
        if m:
            first, last = folded[m.start("k")][1], folded[m.end("k") - 2][1]
            width = (last[2] - first[0]) * (m.end("k") - m.start("k")) / (m.end("k") - m.start("k") - 1)
            end = folded[m.start("n")][1][0]
            if end - first[0] > width:
                found[key] = (first[0], first[0] + int(width), end)
    return found


def hand_filled_lines(page: HocrPage, left_column: list[Line] | None = None) -> list[Line]:
    """The number line and the place-date line of a page opening a document when their number, day or month
    is unsure (see ``unsure``): the lines whose blanks are worth reading as hand-written."""
    _, _, left, number_at, dated = _anchors(page, left_column)
    chosen = [ln for ln, keys in ((left[number_at] if number_at is not None else None, ("number",)),
                                  (dated[3], ("day", "month"))) if ln and any(unsure(ln, key) for key in keys)]
    return [ln for i, ln in enumerate(chosen) if ln.box not in [c.box for c in chosen[:i]]]


def blanks_box(line: Line) -> tuple[int, int, int, int]:
    """The part of a line that holds its blanks: all of a "Số:" line, a place-date line from "ngày" on."""
    x0, y0, x1, y1 = line.box
    if not re.search(_KEYS["number"], fold(line.words[0].text)):
        x0 = next((w.box[0] for w in line.words if "NGAY" in fold(w.text)), x0)
    return x0, y0, x1, y1


def _hand(filled: dict[str, Any], key: str, line: Line) -> tuple[str, float] | None:
    """The hand-written reading of ``key`` when the line's own reading is unsure: no digits, or digits read with
    less confidence than the hand-written ones."""
    value, p = filled.get(key) or ("", 0.0)
    printed = _printed(line, key)  # (confidence, read as digits)
    if not value or p < HAND_MIN or (printed and printed[1] and printed[0] >= min(SURE, 100 * p)):
        return None
    return value, p


def _with_hand(issued: str | None, line: Line, filled: dict[str, Any]) -> tuple[str | None, float]:
    """The issue date with its day and month read as hand-written where the printed reading was unsure; the
    factor to scale its confidence by (the least sure hand-written digit), 1.0 if nothing was taken."""
    year = re.search(r"NAM\W{0,2}(\d{4})\b", fold(line.text))
    y, month, day = ((issued or "").split("-") + [None, None])[:3] if issued else (year and year.group(1), None, None)
    hands = {key: hand for key in ("month", "day") if (hand := _hand(filled, key, line))}
    month, day = hands.get("month", (month,))[0], hands.get("day", (day,))[0]
    if not (hands and y and month):
        return issued, 1.0
    try:
        found = date(int(y), int(month), int(day)).isoformat() if day else f"{int(y):04d}-{int(month):02d}"
    except ValueError:  # a hand-written day past the month's end
        return issued, 1.0
    return found, min(p for _, p in hands.values())


def _type_of(text: str) -> str | None:
    return _closest(fold(text).replace(" ", ""), _TYPE_KEYS, 0.84)


def _tails(items: list[T]) -> list[list[T]]:
    """``items``, then its last three and its last two: what a stamp or a seal read before a title leaves."""
    return [items, *(items[-k:] for k in (3, 2) if len(items) > k)]


def _type_line(line: Line) -> tuple[str | None, list[Word]]:
    """(type, its words) of an upper-case line that names a document type: the whole line, or its last words
    when a stamp beside the centred title was read into the same line ("CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ
    QUYẾT ĐỊNH")."""
    for words in _tails(line.words):
        text = _clean_spaces(" ".join(w.text for w in words))
        if is_upper(text) and (found := _type_of(text)):
            return found, words
    return None, []


_YEAR_WORD = re.compile(r"\b([Nn])[ắằẳẵặ]m(?= \d{4}\b)")
# specks OCR reads as a token of their own, and a field of a received-stamp ("Giờ:........", read "Gi.......")
_NOISE_TOKEN = re.compile(r"^(?:[_|¦‹›~`^*#<>«»°•'‘’]+|\w{0,4}:?\.{4,})$")


# "V/v" as OCR reads it in small type ("V/v", "Vw", "V/w", "Viv"); or "Về việc" (also "Và việc", "Vẻ viêc"),
# which opens the trích yếu under a type name
_VV = r"V\s*[/|]\s*[VW]|V\s*[I1L]?\s*[VWN](?![^\W_])"
_LETTER_ABOUT = re.compile(rf"^(?:{_VV})")
_ABOUT = re.compile(rf"^(?:{_VV}|V[EA] ?VIEC(?![^\W_]))")  # "Về việc", also read glued ("Vềviệc")


def _strip_subject(text: str) -> str:
    """The trích yếu of a block: OCR specks dropped, tones restored, a leading "V/v" or "Về việc" removed."""
    text = " ".join(t for t in text.split() if not _NOISE_TOKEN.match(t))
    tokens = [t for t in _clean_spaces(text).split(" ") if not _NOISE_TOKEN.match(t)]
    for i, (token, after) in enumerate(zip(tokens, tokens[1:], strict=False)):  # "Quyết. định": no stop in a word
        if token.endswith(".") and after[:1].islower() and is_word(token[:-1], after):
            tokens[i] = token[:-1]
    text = restore_tones(" ".join(tokens))
    text = _YEAR_WORD.sub(r"\1ăm", text)  # "nắm 2023" (a tone OCR added): before a year it is "năm"
    # a stamp's words read before a capital "Về việc" (mid-sentence "về" is lower-case): the subject starts there
    later = re.search(r"(?<=\s)(?=Về ?việc|V/v)", text[:80])
    text = text[later.start():] if later else text
    about = _ABOUT.match(fold(text))
    return text[about.end():].strip(" :.,") if about else text


def _extent(line: Line) -> tuple[int, int]:
    """(top, bottom) of a line's middle word: the rule under a trích yếu or a seal's stroke read as part of one
    word does not stretch the line."""
    tops, bottoms = sorted(w.box[1] for w in line.words), sorted(w.box[3] for w in line.words)
    return tops[len(tops) // 2], bottoms[len(bottoms) // 2]


def _block(lines: list[Line], start: int, stop_upper: bool) -> list[Line]:
    """Consecutive lines from ``start`` until a wide gap, a rule, an upper-case line or, after more than half a
    line's gap, the body's first words ("Thực hiện" may also open a wrapped line of a trích yếu). A speck, stroke
    or stamp's fragment read as a line of its own (narrower than high), or a line above the last one (a stamp's,
    that OCR's layout put after it), is passed over."""
    out = [lines[start]]
    for line in lines[start + 1:]:
        text = _clean_spaces(line.text)
        top, bottom = _extent(out[-1])
        if line.box[2] - line.box[0] < line.box[3] - line.box[1] or _extent(line)[0] < top:
            continue
        gap = (_extent(line)[0] - bottom) / max(bottom - top, 1)
        if gap > 1.1 or not any(ch.isalnum() for ch in text) or (stop_upper and is_upper(text)) or (
                gap > 0.5 and _starts_body(text)) or _conf(line.words) < STAMP_LINE_CONF:
            break
        out.append(line)
    return out


def _starts_body(text: str) -> bool:
    return fold(text).startswith(BODY_STARTS) and toneless(text.split(" ", 1)[0]) not in NOT_BODY


_NUMERIC = re.compile(r"\d+(?:[/.,:-]\w+)*")  # a number, a date, a number and symbol ("71/2024/NĐ-CP")


def _numeric(token: str) -> bool:
    return bool(_NUMERIC.fullmatch(token.strip("(),.;:")))


# the enacting formula of a legal document repeats its trích yếu in the body, in regular type and clear of stamps:
# "Thủ tướng Chính phủ ban hành Quyết định về Mạng truyền số liệu chuyên dùng ..."
_ENACTED = re.compile(r"\bban hành (?:Quyết định|Nghị định|Thông tư|Nghị quyết) (.+?)\.(?=\s|$)", re.S)
MENDABLE_CONF = 60  # a word of the trích yếu read under this may be put right from the enacting formula


def _enacted(pages: list[HocrPage]) -> list[str]:
    """The words of the trích yếu as the enacting formula of the first two pages says it, if it has one."""
    found = _ENACTED.search(" ".join(ln.text for p in pages[:2] for ln in p.lines))
    return found.group(1).split() if found else []


def _mended(words: list[Word], said: list[str]) -> list[str]:
    """The words of a trích yếu with what the header lost or read unsure put right from ``said``, the same
    trích yếu in the enacting formula: within the stretch where both agree (the formula may word its start
    differently), up to five words the header lacks (a speck read where they were), read under
    ``MENDABLE_CONF`` or read as a part of the formula's word (this also at the end; at the start, also words
    all read under ``MENDABLE_CONF``), when the formula's are syllables or numbers; and the tone or sign of a
    word the header read under ``SURE`` ("Bạn" for "Ban", "số," for "số")."""
    texts = [w.text for w in words]
    if not said:
        return texts

    def bare(token: str) -> str:
        return fold(token).strip(",.;:“”\"'")

    key = list(map(bare, texts))
    matcher = SequenceMatcher(None, key, list(map(bare, said)), autojunk=False)
    codes = matcher.get_opcodes()
    if sum(i2 - i1 for tag, i1, i2, _, _ in codes if tag == "equal") < 0.6 * len(words):
        return texts  # another sentence
    equal = [k for k, code in enumerate(codes) if code[0] == "equal"]
    out: list[str] = []
    for k, (tag, i1, i2, j1, j2) in enumerate(codes):
        read = [t for t in key[i1:i2] if any(ch.isalnum() for ch in t)]  # without specks and rules
        short = len(read) == j2 - j1 == 1 and read[0] in fold(said[j1])  # letters lost: "hôn," for "“Thôn,"
        lost = short or not read or all(w.conf < MENDABLE_CONF for w in words[i1:i2])  # or unsure, or not read
        if tag == "equal":  # the same words but for a tone or a sign: the formula's where the header was unsure
            out += [w.text if w.conf >= SURE else u for w, u in zip(words[i1:i2], said[j1:j2], strict=True)]
        elif tag == "delete" and k == len(codes) - 1 and lost:
            pass  # unsure words after the trích yếu's end: a stamp's ("… tỉnh Phú Thọ Gi")
        elif (equal[0] < k < equal[-1] or short or k == 0 < i2) and j2 - j1 <= 5 and lost and all(
                is_syllable(t) or _numeric(t) for t in said[j1:j2]):
            # at the start or the end, only a word read short ("uy" for "Quy"); the formula's mid-sentence
            # lower case is no trích yếu's first letter
            mend = said[j1:j2]
            out += [mend[0][:1].upper() + mend[0][1:], *mend[1:]] if mend and i1 == 0 else mend
        else:
            out += texts[i1:i2]
    return out


def _subject(block: list[Line], enacted: list[str] | None = None) -> tuple[str | None, float]:
    """(trích yếu, confidence) of a block of lines, without the garbage a stamp or a signature printed over it
    makes OCR read (words of low confidence that are no syllable: "gỗtenthoTrcsv", "“|", and the words of low
    confidence next to them), mended from the enacting formula's words ``enacted`` (see ``_mended``)."""
    def garbage(w: Word) -> bool:
        return w.conf < GARBAGE_CONF and not (is_syllable(w.text) or _numeric(w.text))

    # and the unsure words beside such garbage: a stamp or a signature leaves runs of them ("gỗtenthoTrcsv gi")
    words = [w for ln in block for i, w in enumerate(ln.words) if not garbage(w) and not (
        w.conf < GARBAGE_CONF and any(garbage(v) for v in ln.words[max(0, i - 1):i + 2]))]
    return _strip_subject(" ".join(_mended(words, enacted or []))) or None, _conf(words)


_RECIPIENTS = re.compile(r"\W*[NM]\w{2} ?NHAN\b")  # "Nơi nhận:", also read "Nui nhận", "Mơi nhận"
_KEPT = re.compile(r"\W*LUU\W*V")  # "- Lưu: VT, ..." (kept by the office), the last recipient


def _closing_top(page: HocrPage) -> int | None:
    """Top of a page's closing block (recipients left, signer right): its "Nơi nhận:" line, or, where OCR lost
    that line, the line above the list of recipients ("- ...;" lines up from "- Lưu: VT"); None on a page
    without one."""
    lines = sorted((ln for ln in page.lines if ln.box[0] < page.width / 2), key=lambda ln: ln.box[1])
    if line := next((ln for ln in lines if _RECIPIENTS.match(fold(ln.text))), None):
        return max(0, line.box[1] - (line.box[3] - line.box[1]))
    at = next((i for i in range(len(lines) - 1, -1, -1) if _KEPT.match(fold(lines[i].text))), None)
    if at is None:
        return None

    def listed(k: int) -> bool:
        return k >= 0 and lines[k].text.lstrip()[:1] in "-+"

    while listed(at - 1) or listed(at - 2):  # a recipient's second line starts without a dash
        at -= 1
    return max(0, lines[at].box[1] - 2 * (lines[at].box[3] - lines[at].box[1]))


def _signer(page: HocrPage) -> tuple[list[str], str | None, float]:
    """(title lines top to bottom, signer name, confidence) from the signer block of a page."""
    top = _closing_top(page)
    start_y = page.height * 0.4 if top is None else top
    return _signer_block([ln for ln in page.lines if ln.box[1] >= start_y], page.width)


def signer_box(page: HocrPage) -> tuple[int, int, int, int] | None:
    """Box of the signer block of a closing page whose OCR found no signer's title or no sure name in it (a seal
    or a signature over them made Tesseract's layout skip or garble them), to be read again on its own; else
    None."""
    top = _closing_top(page)
    if top is None:  # most pages: no closing block, nothing more to look at
        return None
    titles, name, _ = _signer(page)
    if titles and name and _sure_name(name):
        return None
    return page.width // 2, top, page.width, min(page.height, top + int(0.35 * page.height))


def _signer_block(region: list[Line], width: int) -> tuple[list[str], str | None, float]:
    """(title lines, signer name, confidence) from the lines of a page's closing part: the right column's
    upper-case title lines, then the first line that reads as a person's name."""
    _, right = split_columns(region, width, 0.5)
    titles: list[Line] = []
    name: tuple[str, Line] | None = None
    for line in right:
        text = _clean_spaces(line.text)
        if len(_letters(text)) < 2:
            continue
        if name is None and (_known_title(text) or is_upper(text) and sum(
                len(_letters(w)) >= 2 for w in text.split()) >= 2):
            if titles:
                prev = titles[-1]
                if line.box[1] - prev.box[3] > 1.5 * max(prev.box[3] - prev.box[1], 1):
                    continue  # seal or stamp text under the titles
            titles.append(line)
        elif (said := _name_in(text)) and line.conf >= 40 and (titles or _full_name(said, line)):
            name = said, line
    if not titles and not name:
        return [], None, 0.0
    words = [w for ln in titles for w in ln.words] + (name[1].words if name else [])
    return [_clean_spaces(t.text) for t in titles], (name[0] if name else None), _conf(words)


def _sure_name(name: str) -> bool:
    """A name read whole: every word a Vietnamese syllable (not "Trần Nøoe T", a signature read into it)."""
    return all(map(is_syllable, name.split()))


def _full_name(name: str, line: Line) -> bool:
    """A name read surely without the titles above it (lost under a seal): three syllables or more, the first a
    family name."""
    parts = surname(name).split()
    return line.conf >= 80 and len(parts) >= 3 and parts[0] in SURNAMES and _sure_name(" ".join(parts))


def _name_in(text: str) -> str | None:
    """The person's name a line of a signer block reads as, if any: its words without the quotes, dots and
    strokes a signature or a seal adds around them; with the family name whose first letters the seal covered
    put back ("uyễn Chí Dũng" is "Nguyễn Chí Dũng"); or, after the end of a recipient's line read into it, its
    last words from a family name on ("hội; Bùi Thanh Sơn")."""
    words = [w.strip(".,;:“”\"'`„‘’-_") for w in text.split() if any(ch.lower() != ch.upper() for ch in w)]
    for k in range(len(words), 1, -1):
        name = words[-k:]
        if k >= 3 and (rest := re.search(r"[^\W\d_]+$", name[0])) and rest.group()[0].islower():
            tail = fold(rest.group())
            whole = [s for s in SURNAMES if fold(s).endswith(tail) and 1 <= len(fold(s)) - len(tail) <= 2]
            name = [whole[0], *name[1:]] if len(tail) >= 2 and len(whole) == 1 else name
        if _looks_like_name(" ".join(name)) and (k == len(words) or k >= 3 and name[0] in SURNAMES):
            return " ".join(name)
    return None


def type_in_symbol(symbol: str, doc_type: str) -> str:
    """The symbol with its type part (NĐ 30: the abbreviation of the type printed above the subject) put right
    when OCR read it one letter off ("QĐĐ-SNV" of a Quyết định is "QĐ-SNV", "TTT-TCT" of a Tờ trình "TTr-TCT")."""
    expected = TYPE_ABBREVIATIONS.get(doc_type)
    head, dash, rest = symbol.rpartition("/")[2].partition("-")
    if not expected or not dash or head == expected or not _one_edit(fold(head), fold(expected)):
        return symbol
    return symbol[: len(symbol) - len(head + dash + rest)] + expected + dash + rest


def _one_edit(a: str, b: str) -> bool:
    """a and b differ by exactly one inserted, deleted or replaced character (both at least two long)."""
    if min(len(a), len(b)) < 2 or abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def surname(name: str) -> str:
    """A signer's name whose family name (the first word) reads, without tone marks, as a Vietnamese surname
    with the marks OCR changed put back ("Đỉnh Hồng Yến" is "Đinh Hồng Yến"), or, when it is no syllable at all,
    one letter OCR changed in a surname of four letters or more."""
    first, space, rest = name.partition(" ")
    if first in SURNAMES:
        return name
    found = [s for s in SURNAMES if fold(s) == fold(first)] or ([] if is_syllable(first) else [
        s for s in SURNAMES if len(s) >= 4 and _one_edit(fold(s), fold(first))])  # "Ngiyễn" is "Nguyễn"
    return found[0] + space + rest if len(found) == 1 else name


def _looks_like_name(text: str) -> bool:
    parts = text.split()
    return 2 <= len(parts) <= 6 and all(p[:1].isupper() and (len(p) == 1 or not p[1:].isupper()) for p in parts)


def _authority(titles: list[str]) -> tuple[str | None, str | None]:
    """(authority prefixes in order, the signer's own title) from the title lines of a signer block.

    The title is the last line that reads as a known title. When that line is "KT. X" (the lines under it lost
    under a seal or unreadable), or X under X (the seal hid "KT." and "PHÓ"), the title is X's deputy's ("PHÓ X",
    "THỨ TRƯỞNG" for "BỘ TRƯỞNG"): who signs in place of (ký thay) the head is the head's deputy. A prefix a
    seal hid is put back where NĐ 30 leaves no choice: "TM." before the name of a collective body, "KT." before
    the head's title above a deputy's ("THỦ TƯỚNG" over "PHÓ THỦ TƯỚNG"). When the seal left only the collective
    body's line readable, the title is its head's: the head signs on behalf of the body (a deputy signs "KT."
    under it, a line more to lose)."""
    prefixes: list[str | None] = []
    bare: list[str] = []
    for t in titles:
        m = _PREFIX.match(fold(t))
        prefixes.append(f"{m.group(1)}." if m else None)
        bare.append(t[m.end():] if m else t)
    title = bare[-1] if bare else None
    for k in range(len(bare) - 1, -1, -1):
        if known := _known_title(bare[k]):
            # the head's title twice: "KT. THỦ TƯỚNG" over "PHÓ THỦ TƯỚNG", their first words lost under a seal
            twice = k > 0 and prefixes[k] is None and _known_title(bare[k - 1]) == known
            if twice and prefixes[k - 1] is None:
                prefixes[k - 1] = "KT."
            title = _DEPUTIES.get(known, f"PHÓ {known}") if prefixes[k] == "KT." or twice else known
            title = title if title in SIGNER_TITLES else known
            break
    else:
        if title and (body := _collective(title)):  # the title under "TM. ỦY BAN NHÂN DÂN" lost: the head's
            title = _COLLECTIVES[body]
    for i, line in enumerate(bare):
        if prefixes[i] is None and _collective(line):
            prefixes[i] = "TM."
        elif prefixes[i] is None and title and title.startswith("PHÓ ") and _known_title(line) == title[4:] and (
                "KT." not in prefixes):
            prefixes[i] = "KT."
    return " ".join(p for p in prefixes if p) or None, title


# an authority prefix, also read with a comma or glued to the next word ("TM.ỦY BAN")
_PREFIXES = "|".join(sorted((p.rstrip(".") for p in AUTHORITY_PREFIXES), key=len, reverse=True))
_PREFIX = re.compile(rf"^\W*({_PREFIXES})\s*[.,]\s*")
# who signs in place of (ký thay) a head whose deputy is not "PHÓ" + the head's title
_DEPUTIES = {"BỘ TRƯỞNG": "THỨ TRƯỞNG"}
# collective bodies (one signs "TM.", on behalf of them) and the title of their head
_COLLECTIVES = {"ỦY BAN NHÂN DÂN": "CHỦ TỊCH", "HỘI ĐỒNG NHÂN DÂN": "CHỦ TỊCH", "CHÍNH PHỦ": "THỦ TƯỚNG",
                "BAN THƯỜNG VỤ": "BÍ THƯ", "BAN CHẤP HÀNH": "BÍ THƯ", "HỘI ĐỒNG": "CHỦ TỊCH"}


def _collective(text: str) -> str | None:
    """The collective body a signer block's line names (for which one signs "TM.", on behalf of), if any."""
    key = fold(_words(text))
    return next((c for c in _COLLECTIVES if key.startswith(fold(c)) or _similar(key, fold(c)) >= 0.85), None)


def _known_title(text: str) -> str | None:
    """The known title a title line reads as, without the lone letters and signs a seal or a signature adds; or
    that its last words read as, when what the seal made of its first ones is longer ("ư ưng CHU TỊCH")."""
    words = [w for w in re.sub(r"[\W\d_]+", " ", text).split() if len(w) >= 2]  # "PHÓ}ÊHỦ": "PHÓ ÊHỦ"
    for part in map(" ".join, _tails(words)):
        if is_upper(part) and (known := _closest(fold(part), _TITLE_KEYS, 0.85)):  # a name ("Thu Hương") is no title
            return known
    # all but the last word lost under a seal, the space before it too ("ỦTƯỞNG"): "THỦ TƯỚNG" (or its deputy's)
    last = fold(next((w for w in reversed(words) if len(w) >= 4 and is_upper(w)), ""))
    heads = [t for t in SIGNER_TITLES if len(end := fold(t.rsplit(" ", 1)[-1])) >= 4 and last.endswith(end)]
    head = min(heads, key=len, default="")
    return head if heads and all(t.endswith(head) for t in heads) else None


def _mark(texts: list[str], marks: tuple[str, ...]) -> str | None:
    """The first mark (urgency or secrecy) printed alone on a line or stamp, tone marks tolerated."""
    for text in texts:
        key = re.sub(r"[^A-Z ]", "", fold(text)).strip()
        for mark in marks:
            if key == fold(mark):
                return mark
    return None


def _anchors(first: HocrPage, left_column: list[Line] | None) -> tuple[
        list[Line], list[Line], list[Line], int | None, tuple[str | None, str | None, float, Line | None]]:
    """The header lines, their left column as the page's layout has it, the left column to read (read again on
    its own if given), the index of its "Số:" line, and the date, place, confidence and line of the place-date
    line."""
    header = _header(first)
    page_left, right = split_columns(header, first.width)
    left = left_column or page_left
    number_at = next((i for i, ln in enumerate(left) if _NUMBER.search(fold(ln.text))), None)
    limit = first.height
    if number_at is not None:  # NĐ 30: the place-date line stands level with the "Số:" line, not in the body
        box = left[number_at].box
        limit = box[3] + 4 * max(box[3] - box[1], 1)
    dated = _date_place([ln for ln in right or header if ln.box[1] < limit])
    if dated[0] is None:
        dated = _date_place([ln for ln in header if ln.box[1] < limit])
    return header, page_left, left, number_at, dated


def extract_document(pages: list[HocrPage], stamps: list[str] | None = None,
                     left_column: list[Line] | None = None,
                     signer_blocks: dict[int, list[list[Line]]] | None = None,
                     filled: dict[str, Any] | None = None) -> Extraction:
    """Metadata of one document from its OCR pages (first page: header; last signed page: signer).

    ``stamps`` are texts read from the coloured stamps of the first page (urgency, secrecy marks);
    ``left_column`` the left header column read again on its own (see ``left_header_box``); ``signer_blocks``
    the signer blocks read again on their own, by page index (see ``signer_box``): as they are, then with a black
    seal taken out; ``filled`` the blanks of the number and date read as hand-written digits,
    {"number" | "day" | "month": [digits, probability]}.
    """
    filled = filled or {}
    ex = Extraction()
    first = pages[0]
    header, page_left, left, number_at, (issued, place, date_conf, date_line) = _anchors(first, left_column)
    # without a "Số:" line read as one: the upper-case lines that open the column, up to what looks like it
    agency_lines = left[:number_at] if number_at is not None else list(takewhile(
        lambda ln: is_upper(ln.text) and not _NUMBER_START.match(fold(ln.text)),
        dropwhile(lambda ln: not is_upper(ln.text) or _stamp_text(ln.text), left)))[:4]
    parent, agency, agency_conf = _agency(agency_lines)
    ex.put("issuing_agency", agency, agency_conf)
    ex.put("parent_agency", parent, agency_conf)
    number = symbol = None
    number_conf = 0.0
    if number_at is not None:
        number, symbol = _number(left[number_at].text)
        number_conf = _conf(left[number_at].words)
        if hand := _hand(filled, "number", left[number_at]):
            number, number_conf = hand[0], min(number_conf, hand[1])
    ex.put("number", number, number_conf)
    ex.put("symbol", symbol, number_conf)
    place_conf = date_conf
    if date_line:
        issued, factor = _with_hand(issued, date_line, filled)
        if factor < 1:  # the blanks read as hand-written digits: as sure as the line and the least sure digit
            date_conf = _conf(date_line.words) * factor
    year = re.match(r"(\d{4})/", symbol or "")
    if issued and year and issued[:4] != year.group(1):  # NĐ 30: a legal document's number carries its year
        issued, date_conf = year.group(1) + issued[4:], min(date_conf, number_conf) * 0.8
    ex.put("issued_date", issued, date_conf)
    ex.put("place", place, place_conf)

    # công văn: "V/v" under the number in the left column
    doc_type: str | None = None
    subject: str | None = None
    type_conf = subject_conf = 0.0
    # its lines from the page's own layout when it has the number: the column read again is cut at the gutter,
    # which they may cross
    page_number_at = next((i for i, ln in enumerate(page_left) if _NUMBER.search(fold(ln.text))), None)
    column, at = (page_left, page_number_at) if page_number_at is not None else (left, number_at)
    if at is not None:
        for i in range(at + 1, min(at + 3, len(column))):
            if _LETTER_ABOUT.match(fold(_clean_spaces(column[i].text))):
                subject, subject_conf = _subject(_block(column, i, stop_upper=True))
                doc_type, type_conf = "Công văn", subject_conf
                break
    if doc_type is None:
        anchors = ([left[number_at]] if number_at is not None else []) + ([date_line] if date_line else [])
        bottom = max((_extent(ln)[1] for ln in anchors), default=0)  # a rule or stamp can stretch a box
        body = [ln for ln in first.lines if ln.box[1] > bottom - 2]
        for i, line in enumerate(body[:10]):
            found, words = _type_line(line)
            if found:
                doc_type, type_conf = found, _conf(words)
                if i + 1 < len(body):
                    subject, subject_conf = _subject(_block(body, i + 1, stop_upper=True), _enacted(pages))
                break
    if doc_type is None and symbol:
        abbreviation = symbol.split("/")[-1].split("-")[0]
        doc_type = next((t for t, a in TYPE_ABBREVIATIONS.items() if fold(a) == fold(abbreviation)), None)
        type_conf = 0.55 if doc_type else 0.0
    elif doc_type and symbol:
        symbol = type_in_symbol(symbol, doc_type)
        ex.put("symbol", symbol, number_conf)
        if fold(symbol.rpartition("/")[2].partition("-")[0]) == fold(TYPE_ABBREVIATIONS.get(doc_type, "")):
            type_conf = max(type_conf, number_conf)  # the type name and the symbol, read apart, agree
    ex.put("document_type", doc_type, type_conf)
    ex.put("type_code", TYPE_CODES.get(doc_type or "", None), type_conf)
    ex.put("subject", subject, subject_conf)

    # the signer block follows "Nơi nhận" on the signed page; attachments after it have none (or a draft's).
    # Without that line, the pages from the last: the first block with a name wins, else the one with the most
    # title lines.
    best: tuple[list[str], str | None, float] = ([], None, 0.0)
    reread = signer_blocks or {}
    closing = [i for i, p in enumerate(pages) if _closing_top(p) is not None]
    for i in closing[:1] or list(range(len(pages) - 1, -1, -1)):
        said = _signer(pages[i])
        for k, block in enumerate(reread.get(i, [])):  # the name or the titles lost: the block read on its own
            again = _signer_block(block, pages[i].width)
            # with the seal taken out, a name has lost what the seal covered: only one that still opens with
            # a family name is whole
            name = again[1] if k == 0 or again[1] and surname(again[1]).split()[0] in SURNAMES else None
            better = name and (not said[1] or _sure_name(name) and not _sure_name(said[1]))
            if len(again[0]) > len(said[0]) or better:
                said = (max(again[0], said[0], key=len), name if better else said[1], again[2])
        if said[1] or len(said[0]) > len(best[0]):
            best = said
        if said[1]:
            break
    titles, signer, signer_conf = best
    authority, signer_title = _authority(titles)
    ex.put("signer", surname(signer) if signer else None, signer_conf)
    ex.put("signer_title", signer_title, signer_conf)
    ex.put("authority", authority, signer_conf)
    marked = [ln.text for ln in first.lines[: len(header) + 6]] + list(stamps or [])
    ex.put("urgency", _mark(marked, URGENCY_MARKS), 1.0)
    ex.put("secrecy", _mark(marked, SECRECY_MARKS), 1.0)
    ex.put("language", "vi", 1.0)
    ex.put("page_count", len(pages), 1.0)
    return ex


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


def extract_dossier(dw: DossierWork) -> dict[str, int]:
    """Segment one dossier's OCR'd pages into documents and describe each; writes documents.json, and
    rescan.json for the documents on pages too coarse to deliver (see ``ingest.MIN_READ_DPI``)."""
    pages = dw.pages()
    ocred = [p for p in pages if p.status == "ok" and p.hocr]
    documents = _describe(dw, [p for p in ocred if not p.extra.get("rescan")], f"{dw.code}.")
    rescan = _describe(dw, [p for p in ocred if p.extra.get("rescan")], f"{dw.code}.R")
    dw.save(pages)
    write_json(dw.documents_json, documents)
    write_json(dw.rescan_json, rescan)
    return {"documents": len(documents), "needs_review": sum(d["needs_review"] for d in documents),
            "rescan": len(rescan)}


def _describe(dw: DossierWork, ocred: list[Page], prefix: str) -> list[dict[str, Any]]:
    """The documents of OCR'd pages in order, ``prefix`` + ordinal as their ids (set on the pages too)."""
    parsed = [hocr.parse(dw.path(p.hocr)) for p in ocred if p.hocr]
    # parts of each page read again on their own (see sohoa.ocr)
    read_again = [read_json(dw.path(p.extra["blocks"])) if p.extra.get("blocks") else {} for p in ocred]
    documents: list[dict[str, Any]] = []
    for ordinal, group in enumerate(segment(parsed, [b.get("filled", {}) for b in read_again]), start=1):
        doc_id = f"{prefix}{ordinal}"
        opening = ocred[group[0]]
        blocks = [read_again[i] for i in group]
        left = hocr.from_json(blocks[0]["left"]) if "left" in blocks[0] else None
        signers = {k: [hocr.from_json(b[key]) for key in ("signer", "signer_unsealed") if key in b]
                   for k, b in enumerate(blocks) if "signer" in b}
        ex = extract_document([parsed[i] for i in group], opening.extra.get("stamps", []), left, signers,
                              blocks[0].get("filled"))
        for i in group:
            ocred[i].document = doc_id
        documents.append({
            "doc_id": doc_id,
            "ordinal": ordinal,
            "pages": [ocred[i].source for i in group],
            "metadata": ex.metadata,
            "confidence": ex.confidence,
            "needs_review": ex.needs_review,
        })
        log.info("document %s: pages %d, %s %s/%s of %s, review=%s", doc_id, len(group),
                 ex.metadata.get("document_type"), ex.metadata.get("number"), ex.metadata.get("symbol"),
                 ex.metadata.get("issued_date"), ex.needs_review)
    return documents
