"""Fields read twice: from Tesseract's lines, from asterocr's reading of the same lines (``sohoa.reread``), and
from the two combined word by word.

The OCR worker reads the header lines of a page opening a document, and the signer lines of a closing page, a
second time with asterocr (``aster_header``, ``aster_signer`` in ``blocks.json``). A field reader runs on each
version of its lines; the versions are tried in the order measured for that kind of line (``reread.order``:
asterocr's first for capitals, digits and names), and the first whose value the field's syntax and vocabularies
accept is kept. Two independent readers that give the same value (after normalisation: case, tone placement,
spaces, quotes and dashes) are strong evidence that it is right: such a value rests on the evidence "agree",
calibrated apart from values the readers read differently ("disagree") or that only one of them read ("alone";
``sohoa.extract.confidence``). A field whose lines have no second reading keeps Tesseract's value and evidence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, NamedTuple

from sohoa import hocr, reread
from sohoa.extract.names import snap_units, vocabulary
from sohoa.extract.signer import person_name, signer_block
from sohoa.extract.subject import odd_words, subject_of
from sohoa.hocr import HocrPage, Line
from sohoa.lexicon import in_words, is_syllable, unconfirmed
from sohoa.vocab import PLACES, fold, modern_tones

AGREE, DISAGREE, ALONE, MENDED, ODD, MARKS = "agree", "disagree", "alone", "mended", "odd", "marks"


@dataclass
class Second:
    """The second readings of a document's pages: the opening page's header lines, and the signer lines of each
    page (by its index in the document)."""

    header: list[Line] = field(default_factory=list)
    signer: dict[int, list[Line]] = field(default_factory=dict)

    @classmethod
    def of(cls, blocks: list[dict[str, Any]]) -> Second:
        """From the ``blocks.json`` of a document's pages, in order."""
        return cls(hocr.from_json(blocks[0].get("aster_header", [])) if blocks else [],
                   {k: hocr.from_json(b["aster_signer"]) for k, b in enumerate(blocks) if b.get("aster_signer")})


def twin(line: Line, readings: list[Line]) -> Line | None:
    """asterocr's reading of a Tesseract line: each of its parts (``reread.segments``) paired with a reading by
    its box (``reread.paired``), but the parts of fewer than two letters or digits, which the worker does not read;
    None when a part has no reading."""
    words = []
    for part in reread.segments([line]) if line.words else []:
        if sum(ch.isalnum() for ch in part.text) < 2:
            continue  # a speck or a sign beside the line: nothing of it was read again
        other = reread.paired(part, readings)
        if other is None:
            return None
        words += [w for w in other.words if w not in words]
    return Line(words) if words else None


def combined(line: Line, other: Line) -> Line:
    """A line as the two readers read it, word by word (``reread.combine_words``)."""
    return Line(reread.combine_words(line.words, other.words, attrgetter("text")))


def versions(kind: str, lines: Sequence[Line], readings: list[Line]) -> list[tuple[str, list[Line]]]:
    """[(source, lines)] of a field's lines in ``reread.order(kind)``: asterocr's ("aster"), the two combined
    ("combined") and Tesseract's ("tesseract"); Tesseract's alone when a line has no second reading."""
    lines = list(lines)
    twins = [twin(ln, readings) for ln in lines]
    if not lines or not readings or any(t is None for t in twins):
        return [("tesseract", lines)]
    aster = [t for t in twins if t is not None]
    found = {"aster": aster, "combined": [combined(a, b) for a, b in zip(lines, aster, strict=True)],
             "tesseract": lines}
    return [(source, found[source]) for source in reread.order(kind)]


class Reading(NamedTuple):
    """A field's value as read from one version of its lines, with its raw score."""

    source: str  # "tesseract", "aster" or "combined"
    value: Any
    raw: float


def normal(value: Any) -> str:
    """A value as compared between readers: modern tone placement, case folded, without spaces, quotes and dashes
    unified (what one reader prints otherwise than the other is no disagreement)."""
    return re.sub(r"\s+", "", modern_tones(str(value)).casefold().translate(_UNIFIED))


_UNIFIED = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})


def decide(readings: list[Reading], valid: Callable[[Any], bool] = bool,
           score: Callable[[Any], float] | None = None, mend: bool = False) -> tuple[Reading, str | None]:
    """The reading to keep among a field's (``readings`` in the order of its kind) and the evidence it rests on:

    - Tesseract's alone (no second reading): it, with no evidence of its own;
    - Tesseract and asterocr read the same value (or both none): the first reading of it, "agree", as sure as
      the surer;
    - else, of those whose value is ``valid`` (the field's syntax and vocabularies accept it), the first that
      ``score`` (how likely the vocabularies find it) ranks highest, or Tesseract's when none is valid:
      "disagree" when both readers read a value, "alone" when one of them read none; with ``mend`` (the header's
      bodies, of closed vocabularies), "mended" when the value kept is the two combined word by word and neither
      reader's own (each misread a word the other read so that the vocabularies accept the whole), and "marks"
      when the readers read the same letters with other marks and ``score`` ranks the kept reading above every
      other ("KIẾN" against "KIỂN"): both calibrated apart, not marked unsure whatever their score;
    - "odd" instead of any of these when the value kept is not ``valid`` (no reading was: a seal's ring words read
      as the signer's title, by Tesseract without a second reading, by one reader or by both alike): a person
      looks, whatever its score.
    """
    by = {r.source: r for r in readings}
    tess = by["tesseract"]
    aster = by.get("aster")
    if aster is None:
        return tess, ODD if _odd(tess.value, valid) else None
    both = tess.value not in (None, "") and aster.value not in (None, "")
    if normal(tess.value or "") == normal(aster.value or ""):  # an absence read alike is agreed too
        first = next(r for r in readings if normal(r.value or "") == normal(tess.value or ""))
        agreed = Reading(first.source, first.value, max(tess.raw, aster.raw))
        return agreed, ODD if _odd(first.value, valid) else AGREE
    accepted = [r for r in readings if r.value not in (None, "") and valid(r.value)]
    chosen = max(accepted, key=lambda r: score(r.value) if score else 0.0, default=tess)  # the first of equals
    if _odd(chosen.value, valid):
        return chosen, ODD
    if not both:
        return chosen, ALONE
    mended = mend and chosen.source == "combined" and normal(chosen.value) not in (normal(tess.value),
                                                                                normal(aster.value))
    if mended:
        return chosen, MENDED
    # the readers differ only in marks, and the vocabularies know the kept reading better than any other
    if mend and score and fold(normal(tess.value)) == fold(normal(aster.value)) and all(
            score(r.value) < score(chosen.value) for r in readings if normal(r.value or "") != normal(chosen.value)):
        return chosen, MARKS
    return chosen, DISAGREE


def _odd(value: Any, valid: Callable[[Any], bool]) -> bool:
    return value not in (None, "") and not valid(value)


def part_evidence(readings: list[Reading], kept: tuple[Any, ...], evidence: str | None) -> list[str | None]:
    """The evidence of each part of a value read as a whole (the parent body and the issuing body of one header
    column): where the two readers disagree on the whole (or were mended into it), a part both read as kept is
    agreed."""
    by = {r.source: r.value for r in readings}
    if evidence not in (DISAGREE, MENDED, MARKS) or "aster" not in by:
        return [evidence] * len(kept)
    return [AGREE if normal(by["tesseract"][k] or "") == normal(by["aster"][k] or "") == normal(part or "") else evidence
            for k, part in enumerate(kept)]


def decide_digits(readings: list[Reading], valid: Callable[[Any], bool], hand: bool) -> tuple[Reading, str | None]:
    """``decide`` for a number or a date, whose Tesseract reading holds digits read as hand-written by
    ``sohoa.digits`` when ``hand``. Two readings of hand-written digits that differ are put together digit by
    digit: asterocr's, but where the network read a 1 (a 1 written with a long flag, as Vietnamese hands write it,
    is what asterocr misreads, as a 7, a 2 or a 9); such a value, or the hand-written one where asterocr read
    none, rests on the evidence "hand"."""
    chosen, twice = decide(readings, valid)
    if not hand or twice == AGREE:
        return chosen, twice
    by = {r.source: r for r in readings}
    tess, aster = by["tesseract"], by.get("aster")
    if twice == DISAGREE and aster is not None and len(tess.value) == len(aster.value):
        digits = "".join(t if t == "1" and a.isdigit() else a for t, a in zip(tess.value, aster.value, strict=True))
        return Reading("hand", digits, min(tess.raw, aster.raw)), "hand"
    return chosen, "hand" if chosen.source == "tesseract" else twice


def subject_twice(block: list[Line], readings: list[Line], enacted: list[str] | None = None
                  ) -> tuple[str | None, float, str | None]:
    """(trích yếu, raw score, evidence) of its block of lines: Tesseract's (``subject.subject_of``, mended from the
    enacting formula's words ``enacted``), which reads running text in small letters better than asterocr (its
    hook and tilde); "agree" when asterocr read the same, else "disagree" with the share of words the two read
    alike as its raw score, no higher than Tesseract's own when asterocr read otherwise a word of Tesseract's
    that nothing confirms (a stacked tone no dictionary word holds, or no syllable: "đôi tên" for "đổi tên")."""
    from difflib import SequenceMatcher

    subject, raw = subject_of(block, enacted)
    found = dict(versions("subject", block, readings))
    if "aster" not in found:
        return subject, raw, None
    aster, aster_raw = subject_of(found["aster"])
    if subject and aster and normal(subject) == normal(aster):
        return subject, max(raw, aster_raw), AGREE
    if not subject:
        return subject, raw, None
    words = subject.split()
    matcher = SequenceMatcher(None, [normal(w) for w in words], [normal(w) for w in (aster or "").split()],
                              autojunk=False)
    differ = {w.strip(_PUNCTUATION) for op, i0, i1, _, _ in matcher.get_opcodes() if op != "equal"
              for w in words[i0:i1]}
    doubtful = set(unconfirmed(subject)) | set(odd_words(subject))
    ratio = round(matcher.ratio(), 3)
    return subject, min(raw, ratio) if differ & doubtful else ratio, DISAGREE


_PUNCTUATION = ".,;:()“”\"'!?"


def signer_versions(said: tuple[list[str], str | None, float], page: HocrPage | None,
                    lines: list[Line]) -> dict[str, tuple[list[str], str | None, float]]:
    """The signer block (title lines, name, raw score) by source: Tesseract's (``said``, read from ``page``), and
    when asterocr read the block's lines (``lines``) its own and the two combined."""
    found = {"tesseract": said}
    if page is not None and lines:
        parts = reread.segments(page.lines)
        found["aster"] = signer_block(lines, page.width)
        found["combined"] = signer_block([combined(t, a) if (t := reread.paired(a, parts)) else a for a in lines],
                                         page.width)
    return found


# ---- what each field's syntax and vocabularies accept ----

_ACRONYM = re.compile(r"[A-ZĐ]{2,8}")  # "UBND", "HĐND", "ĐHCT"


def agency_words(value: tuple[str | None, str | None]) -> float:
    """How much of an issuing body's name the dictionary's words hold as read (``lexicon.in_words``: "QUY HOẠCH",
    not "QUỶ HOẠCH")."""
    return in_words(value[1] or "")


def known_agency(value: tuple[str | None, str | None]) -> bool:
    """An issuing body whose unit names the vocabularies know (``names.snap_units``) and whose every word is a
    syllable or an acronym."""
    agency = value[1] or ""
    return bool(agency) and snap_units(agency)[1] is not None and all(
        is_syllable(w) or _ACRONYM.fullmatch(w) or w in "-–" for w in agency.split())


_SYMBOL_PART = re.compile(r"\d{4}|[^\W\d_]{1,8}\d?")  # "2025", "QĐ", "UBND", "TTg", "CTr", "VP1"


def well_formed_symbol(symbol: str) -> bool:
    """A symbol of parts of letters (and a year) joined by "/", "-" or ".": "QĐ-UBND", "2025/QĐ-TTg",
    "TB.ĐHCT.CTCT"; a part in capitals and small letters only as NĐ 30 prints a few ("TTg", "TTr", "CTr"), not
    a part that ran into the next column's word ("PA-UBNRn" for "PA-UBND" beside "Phan Rang"); initials carry no
    tone or vowel mark, only the "Đ" ("ỐĐỂ" is no symbol)."""
    parts = re.split(r"[/.-]", symbol)
    return all(_SYMBOL_PART.fullmatch(p) and (p.islower() or not any(ch.islower() for ch in re.sub(_SMALL_TAILS, "", p)))
               and all(ch.isascii() or ch in "Đđ" for ch in p) for p in parts) and any(
        p.isalpha() and len(p) >= 2 for p in parts)


# the words NĐ 30 abbreviates with a small letter in a symbol: "Tr" (trình, trung: "TTr", "CTr", "GDTrH"), "Tg"
# (tướng: "TTg"), "Qy" (quy: "QyĐ")
_SMALL_TAILS = r"Tr|Tg|Qy"


def whole_date(iso: str) -> bool:
    """A date with its day (TT 05 wants it)."""
    return len(iso) == len("YYYY-MM-DD")


def known_place(place: str) -> bool:
    """A place name the vocabularies hold as read."""
    return place in vocabulary("place") or place in PLACES


def known_name(person: str) -> bool:
    """A name of two words or more, as a signer's name is printed."""
    return len(person.split()) >= 2


def name_known(person: str) -> float:
    """How much of a name the lists know (``signer.person_name``: 1.0 when every word is a family, middle or given
    name as read)."""
    return person_name(person)[1]
