"""The place-date line (NĐ 30/2020 ô 4): "<place>, ngày DD tháng MM năm YYYY"."""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

from sohoa.extract.names import snap_place
from sohoa.extract.text import clean_spaces, mean_conf
from sohoa.hocr import Line
from sohoa.vocab import PLACES, fold

# a letter OCR made of a speck or a stroke may stand glued before the digits of the day or month ("tháng Z7");
# not "l" or "I", which are a 1 misread ("ngày l3" is the 13th, not the 3rd)
_STRAY = r"([A-HJKM-Z](?=\d))?"
# "tháng" with its vowel misread ("thủng", "thàng") between two numbers
_MONTH = r"TH[AOUE]NG"
DATE = re.compile(rf"NGAY\W{{0,2}}{_STRAY}(\d{{1,2}})\W{{0,2}}{_MONTH}\W{{0,2}}{_STRAY}(\d{{1,2}})\W{{0,2}}NAM\W{{0,2}}(\d{{4}})")
_CITING = ("CAN CU", "DE NGHI", "LUAT ", "NGHI DINH", "THONG TU", "QUYET DINH")  # never in a place-date line
_DATE_NO_DAY = re.compile(rf"{_MONTH}\W{{0,2}}{_STRAY}(\d{{1,2}})\W{{0,2}}NAM\W{{0,2}}(\d{{4}})")


class Dated(NamedTuple):
    """What a place-date line says: the issue date (ISO, or YYYY-MM without a day) and the place, with their
    confidences, and the line."""

    issued: str | None
    place: str | None
    conf: float
    line: Line | None
    place_conf: float


# how much a place name's confidence keeps when it is found as printed, with its marks put right, with a letter
# put right (``names.snap_place``), only inside the line (a known place among stamp letters), or not found
_PLACE_FOUND = {0: 1.0, 1: 0.95, 2: 0.85, "inside": 0.9, None: 0.6}


def _place(part: str) -> tuple[str | None, float]:
    """(the place name of a place-date line's place part, the factor of its confidence)."""
    text = clean_spaces(part.rsplit(",", 1)[0] if "," in part else part)
    if not text:
        return None, 0.0
    # a place printed with its level ("Thành phố Hồ Chí Minh"), from the names sohoa knows as printed
    printed = [p for p in PLACES if " " in p and fold(text).endswith(fold(p))]
    # ... its first letter or two lost in what a stamp or the other column left before it ("huấhành phố Hồ Chí Minh")
    cut = [p for p in PLACES if " " in p and len(fold(p).split(" ")[0]) >= 4
           and any(fold(text).endswith(fold(p)[n:]) for n in (1, 2))]
    if printed or cut:
        longest = max(printed + cut, key=len)
        return longest, _PLACE_FOUND[2 if longest not in printed else 0 if text.endswith(longest) else 1]
    name, how = snap_place(text)
    if name:
        return name, _PLACE_FOUND[how]
    known = [p for p in PLACES if fold(p) in fold(text)]  # as printed, without a stamp's letters around it
    return (max(known, key=len), _PLACE_FOUND["inside"]) if known else (text, _PLACE_FOUND[None])


def date_place(lines: list[Line]) -> Dated:
    candidates = [ln.text for ln in lines]
    candidates += [a.text + " " + b.text for a, b in zip(lines, lines[1:], strict=False)]
    for i, text in enumerate(candidates):
        folded = fold(text)
        m = DATE.search(folded)
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
        place, found = _place(place_part)
        src = lines[i] if i < len(lines) else lines[i - len(lines) + 1]
        read = mean_conf(src.words)
        conf = read * (0.5 if stray else 1.0)  # a letter read among the digits: for review
        return Dated(iso, place, conf if day else conf * 0.6, src, read * found)
    for line in lines:  # no date could be read (written by hand): the place of "<place>, ngày …" if it is known
        folded = fold(line.text)
        day_word = folded.find("NGAY")
        place, found = _place(line.text[:day_word]) if day_word > 0 else (None, 0.0)
        if place and found >= _PLACE_FOUND[2]:
            return Dated(None, place, 0.0, line, found * mean_conf(line.words))
    return Dated(None, None, 0.0, None, 0.0)
