"""Numbers, days and months filled in by hand after printing, read again as hand-written digits."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sohoa.extract.header import header_anchors
from sohoa.extract.text import SURE
from sohoa.hocr import HocrPage, Line
from sohoa.vocab import fold

# A number or a day filled in by hand after printing: Tesseract, trained on print, reads it with low confidence or
# as signs ("Số: 0J_ /TTr-UBND", "ngày4Otháng"). Such a blank is read again by ``sohoa.digits`` (see ``slots``).


HAND_MIN = 0.25  # below this probability a hand-written reading is not used
_KEYS = {"number": r"^[\W_]*S[O0]", "day": "NGAY", "month": "THANG"}  # the word each blank follows


def printed_reading(line: Line, key: str) -> tuple[float, bool] | None:
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
    printed = printed_reading(line, key)
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
    _, _, left, number_at, dated = header_anchors(page, left_column)
    chosen = [ln for ln, keys in ((left[number_at] if number_at is not None else None, ("number",)),
                                  (dated[3], ("day", "month"))) if ln and any(unsure(ln, key) for key in keys)]
    return [ln for i, ln in enumerate(chosen) if ln.box not in [c.box for c in chosen[:i]]]


def blanks_box(line: Line) -> tuple[int, int, int, int]:
    """The part of a line that holds its blanks: all of a "Số:" line, a place-date line from "ngày" on."""
    x0, y0, x1, y1 = line.box
    if not re.search(_KEYS["number"], fold(line.words[0].text)):
        x0 = next((w.box[0] for w in line.words if "NGAY" in fold(w.text)), x0)
    return x0, y0, x1, y1


def hand_reading(filled: dict[str, Any], key: str, line: Line) -> tuple[str, float] | None:
    """The hand-written reading of ``key`` when the line's own reading is unsure: no digits, or digits read with
    less confidence than the hand-written ones."""
    value, p = filled.get(key) or ("", 0.0)
    printed = printed_reading(line, key)  # (confidence, read as digits)
    if not value or p < HAND_MIN or (printed and printed[1] and printed[0] >= min(SURE, 100 * p)):
        return None
    return value, p


def with_hand(issued: str | None, line: Line, filled: dict[str, Any]) -> tuple[str | None, float]:
    """The issue date with its day and month read as hand-written where the printed reading was unsure; the
    factor to scale its confidence by (the least sure hand-written digit), 1.0 if nothing was taken."""
    year = re.search(r"NAM\W{0,2}(\d{4})\b", fold(line.text))
    y, month, day = ((issued or "").split("-") + [None, None])[:3] if issued else (year and year.group(1), None, None)
    hands = {key: hand for key in ("month", "day") if (hand := hand_reading(filled, key, line))}
    month, day = hands.get("month", (month,))[0], hands.get("day", (day,))[0]
    if not (hands and y and month):
        return issued, 1.0
    try:
        found = date(int(y), int(month), int(day)).isoformat() if day else f"{int(y):04d}-{int(month):02d}"
    except ValueError:  # a hand-written day past the month's end
        return issued, 1.0
    return found, min(p for _, p in hands.values())
