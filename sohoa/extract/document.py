"""One document's metadata from its OCR pages, each field with a confidence."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import dropwhile, takewhile
from typing import Any

from sohoa import reread
from sohoa.extract.confidence import calibrated, review_below
from sohoa.extract.dates import date_place
from sohoa.extract.handwritten import hand_reading, with_hand
from sohoa.extract.header import agency_of, header_anchors, stamp_text, unit_line
from sohoa.extract.marks import mark_of
from sohoa.extract.names import marks_lost
from sohoa.extract.number import (
    NUMBER,
    NUMBER_START,
    mentions,
    number_symbol,
    part_confidences,
    symbol_cased,
    type_in_symbol,
)
from sohoa.extract.second import (
    AGREE,
    ALONE,
    DISAGREE,
    ODD,
    Reading,
    Second,
    agency_words,
    decide,
    decide_digits,
    known_agency,
    known_name,
    known_place,
    name_known,
    normal,
    part_evidence,
    signer_versions,
    subject_twice,
    twin,
    versions,
    well_formed_symbol,
    whole_date,
)
from sohoa.extract.signer import (
    authority_of,
    closing_top,
    is_deputy,
    is_title,
    person_name,
    signer_block,
    signer_of,
    sure_name,
    surname,
)
from sohoa.extract.subject import LETTER_ABOUT, enacted, text_block, type_line
from sohoa.extract.text import clean_spaces, extent, is_upper, mean_conf
from sohoa.hocr import HocrPage, Line
from sohoa.vocab import (
    SECRECY_MARKS,
    SURNAMES,
    TYPE_ABBREVIATIONS,
    URGENCY_MARKS,
    WITHOUT_ABSTRACT,
    fold,
    type_code,
)

REQUIRED = ("document_type", "issued_date", "issuing_agency", "subject")  # TT 05's EAD_doc cannot go without them
# fields whose absence is a reading too (no parent body, no authority prefix, no mark), with its own confidence
MAY_BE_ABSENT = ("parent_agency", "authority", "urgency", "secrecy")
# the fields a person checks (the review form's, and the secrecy mark, which withholds a document)
CHECKED = ("document_type", "number", "symbol", "issued_date", "issuing_agency", "parent_agency", "place",
           "subject", "signer", "signer_title", "authority", "urgency", "secrecy")


@dataclass
class Extraction:
    metadata: dict[str, Any] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)  # calibrated (``sohoa.extract.confidence``)
    raw: dict[str, float] = field(default_factory=dict)  # the readers' own scores, what calibration maps
    evidence: dict[str, str] = field(default_factory=dict)  # what a value rests on, when it is calibrated apart

    def put(self, name: str, value: Any, raw: float, evidence: str | None = None) -> None:
        """Set a field, its raw score and its calibrated confidence (apart for values resting on other evidence
        than the print, such as hand-written digits, or the two readers' agreement); a field left empty that a
        document must have is not sure at all, and a checked field the two readers read otherwise is unsure."""
        missing = value is None and name not in MAY_BE_ABSENT
        self.metadata[name] = value
        self.raw[name] = 0.0 if missing else round(raw, 3)
        self.evidence.pop(name, None)
        if evidence and not missing:  # two readers that both read nothing agree on no value to deliver
            self.evidence[name] = evidence
        conf = 0.0 if missing else calibrated(name, raw, evidence)
        # the two readers read a header or signer field otherwise, or what they read is no value the vocabularies
        # accept: a person decides (not the trích yếu: Tesseract's, which asterocr's hook and tilde on small letters
        # often differ from)
        doubted = evidence in (DISAGREE, ODD) and name in CHECKED and name != "subject"
        self.confidence[name] = _doubted(name, conf) if doubted else conf

    def read_coarse(self) -> None:
        """The document was read from pages too coarse to deliver (a phone's photo, a web copy: under 200 dpi),
        which calibration never measured: every checked value is unsure. Its description serves to find the paper
        to scan again; its dossier is held anyway."""
        self.doubt(*CHECKED)  # an absence too ("no authority prefix"): the form marks it empty

    def doubt(self, *names: str) -> None:
        """Mark the fields ``names`` unsure, whatever their calibrated confidence says."""
        for name in names:
            if name in self.confidence:
                self.confidence[name] = _doubted(name, self.confidence[name])

    def unsure(self) -> list[str]:
        """The checked fields read under their review threshold (``confidence.review_below``)."""
        return [f for f in CHECKED if f in self.confidence and self.confidence[f] < review_below(f)]

    @property
    def needs_review(self) -> bool:
        """A required field empty, a checked field unsure, or a date without its day (TT 05 wants the day)."""
        return any(self.metadata.get(f) is None for f in REQUIRED) or bool(self.unsure()) or (
            len(self.metadata.get("issued_date") or "") != len("YYYY-MM-DD"))


def extract_document(pages: list[HocrPage], stamps: list[str] | None = None,
                     left_column: list[Line] | None = None,
                     signer_blocks: dict[int, list[list[Line]]] | None = None,
                     filled: dict[str, Any] | None = None, second: Second | None = None) -> Extraction:
    """Metadata of one document from its OCR pages (first page: header; last signed page: signer).

    ``stamps`` are texts read from the coloured stamps of the first page (urgency, secrecy marks);
    ``left_column`` the left header column read again on its own (see ``left_header_box``); ``signer_blocks``
    the signer blocks read again on their own, by page index (see ``signer_box``): as they are, then with a black
    seal taken out; ``filled`` the blanks of the number and date read as hand-written digits,
    {"number" | "day" | "month": [digits, probability]}; ``second`` the header and signer lines read again by
    asterocr (``sohoa.extract.second``): each header and signer field is read from both readings and their
    combination, and rests on whether the two readers agree.
    """
    filled = filled or {}
    second = second or Second()
    ex = Extraction()
    first = pages[0]
    header, page_left, left, number_at, (issued, place, date_conf, date_line, place_conf) = header_anchors(
        first, left_column)
    # without a "Số:" line read as one: the upper-case lines that open the column, up to what looks like it
    agency_lines = left[:number_at] if number_at is not None else list(takewhile(
        lambda ln: is_upper(ln.text) and not NUMBER_START.match(fold(ln.text)),
        dropwhile(lambda ln: not is_upper(ln.text) or stamp_text(ln.text), left)))[:4]
    # (not an ornament under the body that the second reader did not read, "———oOo——~": it would leave no version)
    agency_lines = [ln for ln in agency_lines if unit_line(ln) or twin(ln, second.header) is not None]
    agencies = [Reading(source, (found[0], found[1]), found[2])
                for source, lines in versions("agency", agency_lines, second.header) for found in [agency_of(lines)]]
    (_, (parent, agency), agency_conf), agency_from = decide(agencies, known_agency, agency_words, mend=True)
    parent_from, agency_from = part_evidence(agencies, (parent, agency), agency_from)
    ex.put("issuing_agency", agency, agency_conf, agency_from)
    ex.put("parent_agency", parent, agency_conf, parent_from)
    ex.doubt(*(name for name, body in (("issuing_agency", agency), ("parent_agency", parent))
               if any(map(marks_lost, (body or "").split()))))  # a name's marks lost: no dictionary restores them
    number = symbol = number_from = symbol_from = date_from = place_from = None
    number_conf = symbol_conf = 0.0
    numbers: list[Reading] = []
    symbols: list[Reading] = []
    if number_at is not None:
        for source, (line,) in versions("number", [left[number_at]], second.header):
            number, symbol = number_symbol(line.text)
            number_conf, symbol_conf, glued = part_confidences(line)
            if source == "tesseract":
                number_from = "glued" if glued and number else None  # printed as one word: calibrated apart
                if hand := hand_reading(filled, "number", line):
                    number, number_conf, number_from = hand[0], min(mean_conf(line.words), hand[1]), "hand"
            numbers.append(Reading(source, number, number_conf))
            symbols.append(Reading(source, symbol, symbol_conf))
        (_, number, number_conf), twice = decide_digits(numbers, str.isdigit, number_from == "hand")
        number_from = twice or number_from
        (_, symbol, symbol_conf), symbol_from = decide(symbols, well_formed_symbol)
        symbol = symbol and symbol_cased(symbol, agency, parent)
    if symbol and (named := mentions([ln.text for p in pages for ln in p.lines], symbol)):
        # an attachment names the document it belongs to: the number it gives confirms or contradicts this one
        # (or confirms the other reader's: "1886" where asterocr, read first for numbers, lost the "1")
        other = next((r for r in numbers if r.value != number and r.value in named), None)
        if number in named:
            number_from = AGREE if number_from == AGREE else "confirmed"
        elif other:
            number, number_conf, number_from = other.value, other.raw, "confirmed"
        elif number is None or number_conf < 0.5:
            number, number_from = named[0], "mentioned"
        else:
            number_from = "contradicted"
    ex.put("number", number, number_conf, number_from)
    # the attachment or the number read wrong; or one reader read no number where the other read digits ("l8Š6"
    # against "886"): a person decides
    if number_from in ("contradicted", ALONE):
        ex.doubt("number")
    ex.put("symbol", symbol, symbol_conf, symbol_from)
    if date_line:
        issued, factor = with_hand(issued, date_line, filled)
        if factor < 1:  # the blanks read as hand-written digits: as sure as the line and the least sure digit
            date_conf, date_from = mean_conf(date_line.words) * factor, "hand"
        dates, places = [Reading("tesseract", issued, date_conf)], [Reading("tesseract", place, place_conf)]
        for source, (line,) in versions("place_date", [date_line], second.header):
            if source != "tesseract":
                read = date_place([line])
                dates.append(Reading(source, read.issued, read.conf))
                places.append(Reading(source, read.place, read.place_conf))
        order = reread.order("place_date")
        dates = sorted(dates, key=lambda r: order.index(r.source))
        (_, issued, date_conf), twice = decide_digits(dates, whole_date, date_from == "hand")
        date_from = twice or date_from
        (_, place, place_conf), place_from = decide(sorted(places, key=lambda r: order.index(r.source)), known_place)
    year = re.match(r"(\d{4})/", symbol or "")
    if issued and year and issued[:4] != year.group(1):  # NĐ 30: a legal document's number carries its year
        issued, date_conf = year.group(1) + issued[4:], min(date_conf, symbol_conf) * 0.8
    ex.put("issued_date", issued, date_conf, date_from)
    if issued and len(issued) != len("YYYY-MM-DD"):
        ex.doubt("issued_date")  # its day lost (TT 05 wants it): the form marks the date, not the document alone
    ex.put("place", place, place_conf, place_from)

    # công văn: "V/v" under the number in the left column
    doc_type: str | None = None
    subject: str | None = None
    type_conf = subject_conf = 0.0
    type_from = subject_from = None
    # its lines from the page's own layout when it has the number: the column read again is cut at the gutter,
    # which they may cross
    page_number_at = next((i for i, ln in enumerate(page_left) if NUMBER.search(fold(ln.text))), None)
    column, at = (page_left, page_number_at) if page_number_at is not None else (left, number_at)
    if at is not None:
        for i in range(at + 1, min(at + 3, len(column))):
            if LETTER_ABOUT.match(fold(clean_spaces(column[i].text))):
                if any(type_line(ln)[0] for ln in first.lines if column[at].box[3] <= ln.box[1] < column[i].box[1]):
                    break  # "V/v …" under a type's name (older decisions, notices, reports): no công văn
                subject, subject_conf, subject_from = subject_twice(text_block(column, i, stop_upper=True),
                                                                    second.header)
                doc_type, type_conf = "Công văn", subject_conf
                break
    if doc_type is None:
        anchors = ([left[number_at]] if number_at is not None else []) + ([date_line] if date_line else [])
        bottom = max((extent(ln)[1] for ln in anchors), default=0)  # a rule or stamp can stretch a box
        body = [ln for ln in first.lines if ln.box[1] > bottom - 2]
        for i, line in enumerate(body[:10]):
            types = [Reading(source, found, mean_conf(words)) for source, (version,) in
                     versions("type", [line], second.header) for found, words in [type_line(version)]]
            (_, found, conf), twice = decide(types)
            if found:
                type_from = twice
                doc_type, type_conf = found, conf
                start = i + 1  # past the issuer's name wrapped under an older "QUYẾT ĐỊNH CỦA …" title
                while " CUA " in fold(f" {line.text} ") and start < len(body) and is_upper(body[start].text):
                    start += 1
                if start < len(body):
                    subject, subject_conf, subject_from = subject_twice(
                        text_block(body, start, stop_upper=True), second.header, enacted(pages))
                break
    if doc_type is None and symbol:
        abbreviation = symbol.split("/")[-1].split("-")[0]
        doc_type = next((t for t, a in TYPE_ABBREVIATIONS.items() if fold(a) == fold(abbreviation)), None)
        type_conf = 0.55 if doc_type else 0.0
    elif doc_type and symbol:
        symbol = type_in_symbol(symbol, doc_type)
        if symbol_from == DISAGREE and len({normal(type_in_symbol(r.value, doc_type)) for r in symbols
                                            if r.source in ("tesseract", "aster") and r.value}) == 1:
            symbol_from = AGREE  # the readers differed only in the type's part, which the type's title gives
        if fold(symbol.rpartition("/")[2].partition("-")[0]) == fold(TYPE_ABBREVIATIONS.get(doc_type, "")):
            type_conf = max(type_conf, symbol_conf)  # the type name and the symbol, read apart, agree
            symbol_conf = max(type_conf, symbol_conf)
        ex.put("symbol", symbol, symbol_conf, symbol_from)
    if doc_type in WITHOUT_ABSTRACT:  # what follows its name is its body ("… trân trọng giới thiệu: Ông …")
        subject, subject_conf = None, 0.0
    ex.put("document_type", doc_type, type_conf, type_from)
    ex.put("type_code", type_code(doc_type), type_conf)
    ex.put("subject", subject, subject_conf, subject_from)

    # the signer block follows "Nơi nhận" on the signed page; attachments after it have none (or a draft's).
    # Without that line, the pages from the last: the first block with a name wins, else the one with the most
    # title lines.
    best: tuple[list[str], str | None, float] = ([], None, 0.0)
    best_at: int | None = None
    again = signer_blocks or {}
    closing = [i for i, p in enumerate(pages) if closing_top(p) is not None]
    for i in closing[:1] or list(range(len(pages) - 1, -1, -1)):
        said = signer_of(pages[i])
        for k, block in enumerate(again.get(i, [])):  # the name or the titles lost: the block read on its own
            found = signer_block(block, pages[i].width)
            # with the seal taken out, a name has lost what the seal covered: only one that still opens with
            # a family name is whole
            name = found[1] if k == 0 or found[1] and surname(found[1]).split()[0] in SURNAMES else None
            better = name and (not said[1] or sure_name(name) and not sure_name(said[1]))
            if len(found[0]) > len(said[0]) or better:
                said = (max(found[0], said[0], key=len), name if better else said[1], found[2])
        if said[1] or len(said[0]) > len(best[0]):
            best, best_at = said, i
        if said[1]:
            break
    signers = signer_versions(best, pages[best_at] if best_at is not None else None,
                              second.signer.get(best_at, []) if best_at is not None else [])
    names = [Reading(source, *_person(signers[source])) for source in reread.order("signer_name") if source in signers]
    (_, person, person_conf), signer_from = decide(names, known_name, name_known)
    titled = {source: (*authority_of(found[0]), found[2]) for source, found in signers.items()}
    titles = [Reading(source, titled[source][1], titled[source][3])
              for source in reread.order("signer_title") if source in signers]
    (title_source, signer_title, signer_conf), title_from = decide(titles, is_title)
    # the prefixes of the fullest block that read the title kept (a second reading may lack the lines above it)
    fullest = max((source for source in signers if titled[source][1] == signer_title),
                  key=lambda source: len(signers[source][0]), default=title_source)
    authority = titled[fullest][0]
    _, authority_from = decide([Reading(source, titled[source][0], 0.0) for source in ("tesseract", "aster")
                                if source in signers])
    ex.put("signer", person, person_conf, signer_from)
    ex.put("signer_title", signer_title, signer_conf, title_from)
    if authority is None and is_deputy(signer_title):  # a deputy signs for the head (NĐ 30: "KT."), the seal hid it
        ex.put("authority", "KT.", signer_conf * 0.5)
    else:
        ex.put("authority", authority, signer_conf, authority_from)
    if (guessed := [titled[source][2] for source in signers if titled[source][1] == signer_title]) and all(guessed):
        ex.doubt("signer_title")  # a title guessed from lines read as none
    if ex.confidence["signer_title"] < review_below("signer_title"):
        ex.doubt("authority")  # its prefixes are read from the same lines as the title: no surer than it
    marked = [ln.text for ln in first.lines[: len(header) + 6]] + list(stamps or [])
    ex.put("urgency", mark_of(marked, URGENCY_MARKS), 1.0)
    ex.put("secrecy", mark_of(marked, SECRECY_MARKS), 1.0)
    ex.put("language", "vi", 1.0)
    ex.put("page_count", len(pages), 1.0)
    return ex


def _doubted(name: str, conf: float) -> float:
    """A confidence lowered to just under the field's review threshold: the value is marked unsure."""
    return min(conf, round(review_below(name) - 0.01, 3))


def _person(found: tuple[list[str], str | None, float]) -> tuple[str | None, float]:
    """(the signer's name put right by the vocabularies, its raw score) of a signer block's reading."""
    person, known = person_name(found[1]) if found[1] else (None, 0.0)
    return person, found[2] * known


def flagged(doc: dict[str, Any]) -> set[str]:
    """The fields of a described document that its review form marks (``marked``), and the document's pages (the
    form shows them) when it is held at all."""
    if not doc.get("needs_review"):
        return set()
    conf = doc.get("confidence", {})
    return {"page_count"} | {f for f, value in doc.get("metadata", {}).items() if marked(f, value, conf.get(f))}


def marked(name: str, value: Any, conf: float | None) -> str | None:
    """How the review form marks a field: "empty" (a field a document must have, or an absence read unsure),
    "unsure" (read under its threshold), or None."""
    if value in (None, ""):
        return "empty" if name not in MAY_BE_ABSENT or conf is None or conf < review_below(name) else None
    return "unsure" if conf is not None and conf < review_below(name) else None
