"""Helpers shared by the field readers: words, letters and confidences of OCR lines, the header's columns."""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import TypeVar

from sohoa.hocr import HocrPage, Line, Word
from sohoa.lexicon import is_syllable, unglue
from sohoa.vocab import PLACES, UNIT_WORDS, fold

T = TypeVar("T")


HEADER_ZONE = 0.42  # share of page height where the header block lies
COLUMN_SPLIT = 0.47  # share of page width between the left and right header columns


SURE = 90  # a word confidence under which a number, day or month may be hand-written


def snap(text: str, phrases: Sequence[str], upper: bool = False) -> str:
    """Replace runs of words that read, without tone marks, as a known phrase by that phrase as printed:
    OCR keeps the letters of bold capitals but often loses or changes their marks ("TĨNH QUẢNG NGÁI"); or, for a
    phrase of two words or more that is no place name (``names.snap_units`` puts those right and says how), one
    letter off where a word of the run is no syllable ("CÔNG NGHIỆ!")."""
    words = text.split()
    out: list[str] = []
    i = 0
    while i < len(words):
        for phrase in phrases:
            target = phrase.upper() if upper else phrase
            size = len(target.split())
            run = words[i:i + size]
            read = fold(" ".join(run))
            if read == fold(target) or size > 1 and len(run) == size and phrase not in PLACES and not all(
                    map(is_syllable, run)) and one_edit(read, fold(target)):
                out.append(target)
                i += size
                break
        else:
            out.append(words[i])
            i += 1
    return " ".join(out)


SNAP_UNITS = sorted(UNIT_WORDS + PLACES, key=lambda p: -len(p.split()))


def one_edit(a: str, b: str) -> bool:
    """a and b differ by exactly one inserted, deleted or replaced character (both at least two long)."""
    if min(len(a), len(b)) < 2 or abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def letters_of(text: str) -> str:
    return "".join(ch for ch in text if ch.isalpha())


def is_upper(text: str) -> bool:
    letters = letters_of(text)
    return len(letters) >= 2 and sum(ch.isupper() for ch in letters) >= 0.8 * len(letters)


def similar(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b).ratio()


def closest(key: str, choices: Sequence[tuple[str, str]], least: float) -> str | None:
    """The choice (name, folded key) most ``similar`` to ``key``, the first of equals, if at least ``least``
    similar. difflib's cheap upper bounds of the ratio skip the choices that cannot beat the best so far."""
    best, top = None, least
    for name, target in choices:
        matcher = SequenceMatcher(None, key, target)
        if (matcher.real_quick_ratio() < top or matcher.quick_ratio() < top or (ratio := matcher.ratio()) < top
                or (best is not None and ratio == top)):  # a later one of equals does not replace the first
            continue
        best, top = name, ratio
    return best


def mean_conf(words: list[Word]) -> float:
    """Mean confidence of the words that hold a letter or digit (not of the rules and specks read beside them)."""
    words = [w for w in words if any(ch.isalnum() for ch in w.text)] or words
    return round(sum(w.conf for w in words) / len(words) / 100, 2) if words else 0.0


def header_words(text: str) -> str:
    """The words of a header line without the stray signs and lone letters that stamps and rules leave (not the
    one-letter word that opens a unit's name: "SỞ Y TẾ"), words read glued together split again; a dash between
    two words is kept ("SỞ QUY HOẠCH - KIẾN TRÚC")."""
    words = re.sub(r"(?<=[^\W\d_])[:;](?=[^\W\d_])", " ", clean_spaces(text)).split()  # "ỦY:BAN": a speck read
    return " ".join(unglue(w) if not _DASH.fullmatch(w) else "-" for i, w in enumerate(words)
                    if len(letters_of(w)) >= 2 or w.isdigit() or _DASH.fullmatch(w) and 0 < i < len(words) - 1
                    or fold(" ".join(words[i:i + 2])) in _LETTER_WORDS)


# the units' names that open with a word of one letter, by their first two words folded ("Y TE")
_LETTER_WORDS = frozenset(fold(" ".join(p.split()[:2])) for p in UNIT_WORDS if len(p.split()[0]) == 1 and " " in p)


_DASH = re.compile(r"_?[-–—]{1,3}_?")  # a dash, also read doubled or with a speck ("—-", "_-")


def clean_spaces(text: str) -> str:
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


def header_lines(page: HocrPage) -> list[Line]:
    return [ln for ln in page.lines if ln.box[1] < page.height * HEADER_ZONE]


def tails(items: list[T]) -> list[list[T]]:
    """``items``, then its last three and its last two: what a stamp or a seal read before a title leaves."""
    return [items, *(items[-k:] for k in (3, 2) if len(items) > k)]


def extent(line: Line) -> tuple[int, int]:
    """(top, bottom) of a line's middle word: the rule under a trích yếu or a seal's stroke read as part of one
    word does not stretch the line; nor does a dash or a speck read as a word of its own ("- 2025")."""
    words = [w for w in line.words if any(ch.isalnum() for ch in w.text)] or line.words
    tops, bottoms = sorted(w.box[1] for w in words), sorted(w.box[3] for w in words)
    return tops[len(tops) // 2], bottoms[len(bottoms) // 2]
