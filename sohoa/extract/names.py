"""Vocabularies of names taken from kept packages, and the rule for snapping a reading to them.

- Administrative units, before and after the 2025 reorganisation (63 then 34 provinces, 696 districts, the
  communes of both): ``vietnamadminunits`` (MIT, pinned in requirements.txt), its data files read as they ship
  (the package's own code, which needs geometry libraries, is not imported).
- Vietnamese middle and given names (2,488 pairs such as "Anh Tuấn", "Thị Tuyết Mai"'s "Tuyết Mai"):
  ``vn-fullname-generator`` (MIT, pinned), its data files read as they ship.

OCR keeps the letters of a name more often than its marks ("TỈNH HẢI DƯƠNG" read "HẢÁI DƯƠNG", "Tuấn" read
"Tuần"). A reading is replaced by an entry only when exactly one entry fits: the same letters without marks, or,
for a name of six letters or more, one letter added, dropped or changed. Otherwise the reading is kept as it is.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from sohoa.lexicon import dictionary, is_syllable
from sohoa.vocab import SURNAMES, fold, modern_tones, nfc

EDIT_MIN = 6  # letters (without spaces) of the shortest name matched one letter off


def _package_data(package: str) -> Path:
    """The data folder of an installed package, found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(f"{package} is not installed (see requirements.txt)")
    return Path(spec.origin).parent / "data"


def _clean(name: str) -> str:
    # the given-name lists write some "Đ" as the Icelandic "Ð"
    return nfc(name.replace("Ð", "Đ").replace("ð", "đ")).strip()


@cache
def _admin() -> tuple[dict[str, Any], dict[str, Any]]:
    root = _package_data("vietnamadminunits")
    return tuple(json.loads((root / name).read_text(encoding="utf-8"))
                 for name in ("parser_legacy.json", "parser_from_2025.json"))


@cache
def provinces() -> frozenset[str]:
    """Provinces and centrally-run cities, before and after 1 July 2025 ("Hải Dương", "Lâm Đồng", "Huế")."""
    legacy, current = _admin()
    return frozenset(_clean(v["provinceShort"]) for data in (legacy, current) for v in data["DICT_PROVINCE"].values())


@cache
def districts() -> frozenset[str]:
    """Districts, towns and provincial cities (huyện, quận, thị xã, thành phố thuộc tỉnh) before 1 July 2025."""
    legacy, _ = _admin()
    return frozenset(_clean(v["districtShort"]) for p in legacy["DICT_PROVINCE_DISTRICT"].values() for v in p.values())


@cache
def communes() -> frozenset[str]:
    """Communes, wards and townships (xã, phường, thị trấn) before and after 1 July 2025."""
    legacy, current = _admin()
    old = (v for p in legacy["DICT_PROVINCE_DISTRICT_WARD_NO_ACCENTED"].values() for d in p.values()
           for v in d.values())
    new = (v for p in current["DICT_PROVINCE_WARD_NO_ACCENTED"].values() for v in p.values())
    # five districts of the old data have no commune (an empty record whose name is NaN)
    return frozenset(_clean(v["wardShort"]) for v in (*old, *new) if isinstance(v["wardShort"], str))


@cache
def places() -> frozenset[str]:
    """Every unit's name: what a place-date line may print (NĐ 30: the unit where the issuing body sits)."""
    return provinces() | districts() | communes()


@cache
def given_names() -> frozenset[str]:
    """Middle and given names as they are written together ("Anh Tuấn", "Tuyết Mai")."""
    root = _package_data("vn_fullname_generator")
    return frozenset(_clean(line) for name in ("male.name", "female.name")
                     for line in (root / name).read_text(encoding="utf-8").splitlines() if line.strip())


# the two commonest middle names, which the lists leave out (they list the names chosen for a child)
MIDDLE = ("Văn", "Thị")


@cache
def given_syllables() -> frozenset[str]:
    """Every syllable of the middle and given names ("Anh", "Tuấn")."""
    return frozenset(s for name in given_names() for s in name.split()) | frozenset(MIDDLE)


class Vocabulary:
    """Names found by their letters without marks, and one letter off for longer ones (a deletion index)."""

    def __init__(self, names: Iterable[str]) -> None:
        self.by_key: dict[str, set[str]] = {}
        for name in names:
            self.by_key.setdefault(_key(name), set()).add(name)
        self.deleted: dict[str, set[str]] = {}
        for key in self.by_key:
            if _size(key) >= EDIT_MIN:
                for variant in _deletions(key):
                    self.deleted.setdefault(variant, set()).add(key)

    def __contains__(self, name: str) -> bool:
        return name in self.by_key.get(_key(name), ())

    def spellings(self, text: str) -> set[str]:
        """The names with the letters of ``text``, whatever their marks."""
        return self.by_key.get(_key(text), set())

    def near(self, text: str) -> set[str]:
        """The names one letter added, dropped or changed from ``text`` (six letters or more), marks aside."""
        key = _key(text)
        if _size(key) < EDIT_MIN - 1:
            return set()
        keys = set(self.deleted.get(key, ()))  # a letter OCR dropped
        for variant in _deletions(key):
            if variant in self.by_key:  # a letter OCR added ("HẢÁI DƯƠNG")
                keys.add(variant)
            keys |= self.deleted.get(variant, set())  # a letter OCR changed
        keys.discard(key)
        return {name for k in keys if _size(k) >= EDIT_MIN for name in self.by_key[k]}

    def snap(self, text: str) -> tuple[str, int] | None:
        """(the one name ``text`` reads as, how: 0 as printed, 1 its marks changed, 2 a letter changed), or None
        when none or several fit. Letter case does not count."""
        same = self.spellings(text)
        printed = [name for name in same if name.casefold() == text.casefold()]
        if printed:
            return printed[0], 0
        if same:
            return (next(iter(same)), 1) if len(same) == 1 else None
        near = self.near(text)
        return (next(iter(near)), 2) if len(near) == 1 else None


def _key(text: str) -> str:
    """Letters and digits without marks, words one space apart (a dash between them is no word: "Phan Rang -
    Tháp Chàm")."""
    return " ".join(key for word in fold(text).split() if (key := "".join(ch for ch in word if ch.isalnum())))


def _size(key: str) -> int:
    return len(key) - key.count(" ")


def _deletions(key: str) -> set[str]:
    return {key[:i] + key[i + 1:] for i in range(len(key))}


@cache
def vocabulary(kind: str) -> Vocabulary:
    """The vocabulary of ``kind``: "province", "district", "commune", "place", "given" (middle and given names
    together) or "syllable" (each syllable of them)."""
    names = {"province": provinces, "district": districts, "commune": communes, "place": places,
             "given": given_names, "syllable": given_syllables}[kind]()
    return Vocabulary(names)


# the word that names a unit's level before its name in an issuing body's name ("ỦY BAN NHÂN DÂN TỈNH …"),
# folded, and the vocabulary of that level; "QUẬN" and "XÃ" only with their marks ("QUÂN SỰ", "XÃ HỘI")
_LEVELS = (("THANH PHO", "place"), ("THI XA", "district"), ("THI TRAN", "commune"), ("TINH", "province"),
           ("HUYEN", "district"), ("PHUONG", "commune"), ("QUẬN", "district"), ("XÃ", "commune"))
_NOT_NAMES = ("HOI", "SU", "DOI")  # "XÃ HỘI", "QUÂN SỰ", "QUÂN ĐỘI" after a word that folds like a level's


def snap_units(text: str, upper: bool = True) -> tuple[str, int | None]:
    """An issuing body's name with the place name after each level word ("TỈNH", "HUYỆN", "XÃ"…) put right where
    one name of that level fits (``Vocabulary.snap``), in capitals if ``upper``; and how it was found: 0 every
    such name as printed, 1 its marks put right, 2 a letter put right, None a name that no entry fits."""
    words = text.split()
    worst: int | None = 0
    i = 0
    while i < len(words):
        level = _level_at(words, i)
        if level is None:
            i += 1
            continue
        size, kind = level
        start = i + size
        end = next((k for k in range(start, len(words)) if _level_at(words, k)), len(words))
        found = None
        for n in range(min(end - start, 5), 0, -1):  # four words, and a dash between them
            if found := vocabulary(kind).snap(" ".join(words[start:start + n])):
                words[start:start + n] = (found[0].upper() if upper else found[0]).split()
                break
        if found is None:
            worst = None
        elif worst is not None:
            worst = max(worst, found[1])
        i = end
    return " ".join(words), worst


def _level_at(words: list[str], i: int) -> tuple[int, str] | None:
    """(words of the level word, vocabulary) when a level word of a unit's name starts at ``words[i]``."""
    for word, kind in _LEVELS:
        size = len(word.split())
        read = " ".join(words[i:i + size])
        if (read.upper() == word if not word.isascii() else fold(read) == word) and i + size < len(words):
            after = fold(words[i + size])
            return None if after in _NOT_NAMES else (size, kind)
    return None


def snap_place(text: str) -> tuple[str | None, int | None]:
    """The place name a place-date line's place part ends with, put right where one name fits, and how it was
    found (as ``snap_units``); (None, None) when no entry fits."""
    words = [w.strip(" ,.;:") for w in text.split() if w.strip(" ,.;:")]
    tails = [" ".join(words[-n:]) for n in range(min(len(words), 5), 0, -1) if words[-n] not in "-–"]
    for tail in tails:  # the longest name first; a one-word name only as printed ("Đông" ends "Lâm Đông")
        spelled = vocabulary("place").spellings(tail)
        if tail in spelled:
            return tail, 0
        if " " not in tail:
            continue
        if len(spelled) == 1:
            return next(iter(spelled)), 1
        for kind in ("province", "place"):  # a letter off: a province's name first, the commonest on the line
            near = vocabulary(kind).near(tail)
            if len(near) == 1:
                return next(iter(near)), 2
    return None, None


@cache
def _written() -> frozenset[str]:
    """Every syllable as written (lower case, modern tone placement) of the dictionary's words and of the names
    the vocabularies hold: units of every level before and after 2025 ("Phan Rang"), family and given names."""
    names = [*communes(), *districts(), *provinces(), *given_syllables(), *SURNAMES]
    return frozenset(modern_tones(s.lower()) for line in [*dictionary(), *names] for s in line.split() if s.isalpha())


def marks_lost(token: str) -> bool:
    """``token`` has the letters of a syllable but marks that no word or name has ("KIEN TRUC" for "KIẾN TRÚC"):
    a word whose marks OCR lost, not a word of its own nor an acronym ("UBND" has no syllable's letters)."""
    word = token.strip(".,;:!?()\"'“”‘’")
    return is_syllable(word) and modern_tones(word.lower()) not in _written()
