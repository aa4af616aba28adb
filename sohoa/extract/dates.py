"""The place-date line (NĐ 30/2020 ô 4): "<place>, ngày DD tháng MM năm YYYY"."""

from __future__ import annotations

import re
from datetime import date

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


def date_place(lines: list[Line]) -> tuple[str | None, str | None, float, Line | None]:
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
        place = clean_spaces(place_part.rsplit(",", 1)[0] if "," in place_part else place_part) or None
        known = [p for p in PLACES if place and fold(p) in fold(place)]
        if known:  # as printed, without a stamp's or a stray sign's letters around it
            place = max(known, key=len)
        src = lines[i] if i < len(lines) else lines[i - len(lines) + 1]
        conf = mean_conf(src.words) * (0.5 if stray else 1.0)  # a letter read among the digits: for review
        return iso, place, conf if day else conf * 0.6, src
    for line in lines:  # no date could be read (written by hand): the place of "<place>, ngày …" if it is known
        folded = fold(line.text)
        day_word = folded.find("NGAY")
        known = [p for p in PLACES if day_word > 0 and fold(p) in folded[:day_word]]
        if known:
            return None, max(known, key=len), 0.5 * mean_conf(line.words), line
    return None, None, 0.0, None
