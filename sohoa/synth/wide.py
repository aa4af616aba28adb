"""The wide variety: documents of every NĐ 30/2020 layout and of the rules before it (TT 01/2011/TT-BNV and
older practice), 1975–2025, with the habits archives meet on paper.

A wide document keeps the truth conventions of the run report (DESIGN.md): ``subject`` without a leading
"V/v"/"Về việc", ``signer`` without an academic prefix, ``issuing_agency`` as printed (old tone marks
kept). The printed forms are extra keys (``subject_as_printed``, ``signer_as_printed``). How it is printed
(era, font, rules, where the date stands, what the seal covers, how the paper aged) is ``SynthDocument.look``;
``look.features`` names the layout kinds it exercises, so that scores can be given per kind.
"""

from __future__ import annotations

import datetime as dt
import random

from sohoa.synth.agencies import Agency
from sohoa.synth.documents import (
    Look,
    SynthDocument,
    _addressees,
    _issued,
    _person,
    _signer_block,
    _two,
)
from sohoa.synth.phrases import _SUBJECTS, TOPICS
from sohoa.synth.phrases_wide import (
    CV_SUBJECTS,
    ISSUER_SUFFIX,
    LONG_TAILS,
    MIDDLE_TOPICS,
    NO_SUBJECT,
    OLD_TOPICS,
    WIDE_SUBJECTS,
)
from sohoa.vocab import SECRECY_MARKS, TYPE_ABBREVIATIONS, URGENCY_MARKS

ERAS = ("nd30", "tt01", "old")
ND30_IN_FORCE = dt.date(2020, 3, 5)
TT01_IN_FORCE = dt.date(2011, 3, 5)
OLD_ABBREVIATIONS = {"Thông tri": "TT"}
_TYPE_WEIGHTS = {"Công văn": 8, "Quyết định": 4, "Thông báo": 3, "Báo cáo": 2, "Tờ trình": 2, "Kế hoạch": 2}
ONE_PAGE_TYPES = frozenset({"Giấy mời", "Giấy giới thiệu", "Giấy nghỉ phép", "Phiếu chuyển", "Giấy ủy quyền",
                            "Công điện"})


def era_of(day: dt.date) -> str:
    """The rule a document of that day was laid out by."""
    if day >= ND30_IN_FORCE:
        return "nd30"
    return "tt01" if day >= TT01_IN_FORCE else "old"


def wide_year(agency: Agency, rng: random.Random) -> int:
    """A year the agency issued documents in, the three eras (NĐ 30, TT 01/2011, older) about equally likely."""
    first, last = agency.years
    spans = [(max(first, lo), min(last, hi)) for lo, hi in ((2020, 2025), (2011, 2019), (1975, 2010))]
    lo, hi = rng.choice([(lo, hi) for lo, hi in spans if lo <= hi])
    return rng.randint(lo, hi)


def topics_of(year: int) -> tuple[str, ...]:
    """Topics a document of that year can be about (no digital transformation in 1985)."""
    if year < 2000:
        return OLD_TOPICS
    return MIDDLE_TOPICS if year < 2015 else TOPICS


def wide_types(agency: Agency, year: int) -> list[str]:
    """The document types agency issues in year in the wide variety."""
    return [t for t in agency.types if t != "Thông tri" or year < 2000]


def _symbol(doc_type: str, agency: Agency, day: dt.date, rng: random.Random) -> tuple[str, list[str]]:
    """The ký hiệu as printed after "Số: N/", with the habit it shows."""
    unit = rng.choice(agency.units)
    quirks = agency.quirks
    if doc_type == "Công văn":
        if "bare" in quirks and rng.random() < 0.4 or era_of(day) == "old" and rng.random() < 0.2:
            return agency.abbr, ["symbol:no-type-code"]  # "Số: 125/UB"
        if "dots" in quirks and rng.random() < 0.3:
            return f"{agency.abbr}.{unit}", ["symbol:dots"]
        return f"{agency.abbr}-{unit}", []
    code = OLD_ABBREVIATIONS.get(doc_type) or TYPE_ABBREVIATIONS[doc_type]
    if "dots" in quirks and rng.random() < 0.3:
        return f"{code}.{agency.abbr}.{unit}", ["symbol:dots"]
    if "three-part" in quirks and rng.random() < 0.4:
        return f"{code}-{agency.abbr}-{unit}", ["symbol:three-part"]
    if "bare" in quirks and rng.random() < 0.2:
        return agency.abbr, ["symbol:no-type-code"]
    if doc_type in ("Quyết định", "Nghị quyết") and agency.kind != "head" and day.year >= 2005 \
            and rng.random() < 0.12:
        return f"{day.year}/{code}-{agency.abbr}", ["symbol:year"]
    if era_of(day) == "old" and rng.random() < 0.15:
        return f"{code}.{agency.abbr}", ["symbol:dots"]
    return f"{code}-{agency.abbr}", []


def _long(text: str, agency: Agency, day: dt.date, rng: random.Random, count: int) -> str:
    for tail in rng.sample(LONG_TAILS, k=count):
        text += " " + tail.format(where=agency.place, who=agency.name, year=day.year, year5=day.year + 5,
                                  year10=day.year + 10, day=_two(rng.randint(1, 28)), month=rng.randint(1, 12),
                                  n=rng.randint(2, 5))
    return text


def _subject(doc_type: str, agency: Agency, topic: str, day: dt.date, era: str,
             rng: random.Random) -> tuple[str, str, list[str]]:
    """(prefix as printed, subject without it, features) of the trích yếu."""
    if doc_type in NO_SUBJECT:
        return "", "", []
    fill = {"topic": topic, "year": day.year, "year5": day.year + 5, "prev": day.year - 1, "n": rng.randint(1, 9)}
    features: list[str] = []
    if doc_type == "Công văn":
        lines = rng.choice((1, 2, 2, 3, 3, 4))
        low, high = 26 * (lines - 1) + 4, 26 * lines - 4  # about 26 letters a line in the left column
        options = [t.format(**fill) for t in CV_SUBJECTS]
        for _ in range(40):
            text = rng.choice(options)
            if len(text) < low:
                text = _long(text, agency, day, rng, rng.randint(1, 2))
            if low <= len(text) <= high:
                break
        else:
            text = min(options, key=lambda t: abs(len(t) - (low + high) / 2))
        prefix, subject = "V/v ", text[4:]
    else:
        templates = WIDE_SUBJECTS.get(doc_type) or _SUBJECTS[doc_type]
        printed = rng.choice(templates).format(**fill)
        prefix = ""
        for candidate in ("V/v ", "Về việc "):
            if printed.startswith(candidate):
                prefix, printed = candidate, printed[len(candidate):]
        if rng.random() < 0.3:
            printed = _long(printed, agency, day, rng, rng.randint(1, 2))
        subject = printed
        old_decision = era == "old" and doc_type in ("Quyết định", "Chỉ thị", "Thông tri")
        if doc_type in ("Thông báo", "Báo cáo", "Kế hoạch", "Tờ trình") and rng.random() < 0.3 or \
                old_decision and rng.random() < 0.5:
            if prefix == "":
                subject = subject[:1].lower() + subject[1:] if not subject[1:2].isupper() else subject
            prefix = "V/v "
            features.append("title-vv")
    if len(subject) > 100:
        features.append("long-subject")
    return prefix, subject, features


def _signer(agency: Agency, doc_type: str, year: int,
            rng: random.Random) -> tuple[list[str], str | None, list[str]]:
    if doc_type == "Biên bản":
        return ["CHỦ TRÌ"], None, ["two-signers"]
    head = agency.head
    unit_head = "TRƯỞNG PHÒNG ĐÀO TẠO" if agency.academic and "TRƯỜNG" in " ".join(agency.lines) \
        else "CHÁNH VĂN PHÒNG"
    deputy_unit = "PHÓ TRƯỞNG PHÒNG" if unit_head.startswith("TRƯỞNG") else "PHÓ CHÁNH VĂN PHÒNG"
    roll = rng.random()
    if roll < 0.15:
        return [f"TL. {head}", f"KT. {unit_head}", deputy_unit], "TL. KT.", ["signer:TL. KT."]
    if roll < 0.22 and year >= 2005:  # "thừa uỷ quyền" since TTLT 55/2005
        return [f"TUQ. {head}", unit_head], "TUQ.", ["signer:TUQ."]
    if roll < 0.32 and doc_type not in ("Quyết định", "Nghị quyết"):
        return [f"TL. {head}", unit_head], "TL.", []
    block, authority = _signer_block(agency, doc_type, rng)
    return block, authority, ([f"signer:{authority}"] if authority and " " in authority else [])


def _look(era: str, day: dt.date, doc_type: str, agency: Agency, rng: random.Random) -> Look:
    year = day.year
    features = [f"era:{era}"]
    if era == "nd30":
        family = "serif"
    elif era == "tt01":
        family = rng.choices(("serif", "freeserif"), (7, 3))[0]
    elif year < 1996:
        family = rng.choices(("typewriter", "mono", "serif"), (75, 10, 15))[0]
    else:
        family = rng.choices(("freeserif", "serif", "mono", "typewriter"), (40, 45, 10, 5))[0]
    look = Look(era=era, family=family, features=features)
    if family != "serif":
        features.append(f"font:{family}")
    old = era == "old"
    if old and rng.random() < 0.7 or era == "tt01" and rng.random() < 0.3:
        look.national_title = "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    if family in ("typewriter", "mono"):
        look.rule = rng.choices(("dashes", "stars", "oOo", "line"), (4, 2, 3, 1))[0]
    elif old:
        look.rule = rng.choices(("line", "oOo", "dashes"), (6, 2, 2))[0]
    if look.rule != "line":
        features.append("rule:typed")
    if old and rng.random() < (0.2 if year >= 2005 else 0.6):
        look.zeros = False
        features.append("date:no-zeros")
    if doc_type == "Công văn" and rng.random() < 0.6:
        look.date_row = rng.randint(1, 2)  # a one-line V/v block: the date stands beside that line
        features.append("date-beside-vv")
    if old and year < 2005 and doc_type in ("Quyết định", "Chỉ thị", "Thông tri") and rng.random() < 0.5:
        issuer = " ".join(agency.lines) if agency.kind != "head" else f"{agency.head} {' '.join(agency.lines)}"
        look.type_suffix = ISSUER_SUFFIX.format(issuer=issuer)
        features.append("type-suffix")
    look.seal_over = rng.choices(("signature", "name", "title"), (5, 3, 2))[0] if doc_type != "Biên bản" \
        else "signature"  # a Biên bản carries no seal
    if look.seal_over != "signature":
        features.append(f"seal-over-{look.seal_over}")
    if rng.random() < 0.12:
        look.name_stamp = True
        features.append("name-stamp")
    if era != "nd30" and rng.random() < 0.4:
        look.page_numbers = "bottom"
    if family in ("typewriter", "mono"):
        look.paper = rng.choices(("carbon", "photocopy", "faded", "print"), (35, 35, 20, 10))[0]
    elif old:
        look.paper = rng.choices(("photocopy", "faded", "print"), (45, 20, 35))[0]
    elif era == "tt01":
        look.paper = rng.choices(("photocopy", "print"), (25, 75))[0]
    else:
        look.paper = rng.choices(("photocopy", "print"), (10, 90))[0]
    if look.paper != "print":
        features.append(f"paper:{look.paper}")
    return look


def wide_document(rng: random.Random, *, agency: Agency, year: int, topic: str,
                  document_type: str | None = None, pages: int | None = None) -> SynthDocument:
    """A document of the wide variety issued by agency in year; every argument left None is drawn from rng."""
    issued = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
    era = era_of(issued)
    types = wide_types(agency, year)
    if document_type is None:
        document_type = rng.choices(types, [_TYPE_WEIGHTS.get(t, 1) for t in types])[0]
    elif document_type not in types:
        raise ValueError(f"{agency.key} does not issue {document_type!r} in {year}")
    number = str(rng.randint(1, 2500 if agency.kind != "head" else 900))
    if era != "old" or rng.random() < 0.5:
        number = _two(int(number))
    symbol, features = _symbol(document_type, agency, issued, rng)
    prefix, subject, more = _subject(document_type, agency, topic, issued, era, rng)
    features += more
    block, authority, more = _signer(agency, document_type, year, rng)
    features += more
    if pages is None:
        pages = 1 if document_type in ONE_PAGE_TYPES else rng.choices((1, 2, 3, 4), (45, 30, 15, 10))[0]
    addressees, recipients = _addressees(agency, document_type, rng, ("Công văn", "Giấy mời", "Công điện"))
    look = _look(era, issued, document_type, agency, rng)
    if agency.parent and len(agency.lines) >= 2:
        features.append("two-line-agency")
    elif agency.parent:
        features.append("parent+own")
    look.features += features
    if document_type == "Biên bản":
        look.secretary = _person(rng)
    signer_prefix = ""
    if agency.academic and rng.random() < 0.5:
        signer_prefix = rng.choice(agency.academic) + " "
        look.features.append("academic-prefix")
    return SynthDocument(
        document_type=document_type,
        number=number,
        symbol=symbol,
        issued_date=issued,
        subject=subject,
        signer=_person(rng),
        urgency=rng.choice(URGENCY_MARKS) if rng.random() < 0.1 or document_type == "Công điện" else None,
        pages=pages,
        subject_prefix=prefix,
        addressees=addressees,
        recipients=recipients,
        topic=topic,
        body_seed=rng.getrandbits(32),
        **_issued(agency, block, authority),
        look=look,
        signer_prefix=signer_prefix,
    )


def vary_wide(doc: SynthDocument, rng: random.Random) -> SynthDocument:
    """Number and day written by hand into blanks (about a third, as in the real sets), a few secrecy stamps,
    attachments on some plans and decisions, keeping a document within 4 pages."""
    doc.hand_filled = rng.random() < 0.35
    if rng.random() < 0.04:
        doc.secrecy = rng.choice(SECRECY_MARKS)
    if doc.document_type in ("Quyết định", "Kế hoạch", "Báo cáo", "Tờ trình", "Nghị quyết") and doc.pages < 4 \
            and rng.random() < 0.2:
        doc.attachment = "quy định" if doc.document_type == "Quyết định" and rng.random() < 0.6 else "phụ lục"
        doc.attachment_pages = rng.randint(1, 4 - doc.pages)
        doc.pages += doc.attachment_pages
    return doc


def layout_tags(doc: SynthDocument, vv_lines: int, bleed: bool) -> list[str]:
    """The layout kinds a rendered wide document exercises (for scores per kind): its look's features and
    what only the rendering knows (lines of the V/v block) or the batch decided (hand-filled, stamps)."""
    assert doc.look is not None
    tags = list(doc.look.features)
    if vv_lines:
        tags.append(f"vv-lines:{vv_lines}")
    if doc.hand_filled:
        tags.append("hand-filled")
    if doc.urgency or doc.secrecy:
        tags.append("stamp")
    if doc.attachment:
        tags.append("attachment")
    if bleed:
        tags.append("bleed-through")
    return tags
