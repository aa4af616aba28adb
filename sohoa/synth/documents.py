"""A synthetic document: its printed fields (the ground truth) drawn at random, consistent with each other."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from sohoa.synth.agencies import AGENCIES, DOCUMENT_TYPES, Agency
from sohoa.synth.handwriting import BLANK
from sohoa.synth.phrases import (
    _FEMALE_GIVEN,
    _FEMALE_MIDDLE,
    _MALE_GIVEN,
    _MALE_MIDDLE,
    _RECIPIENT_LINES,
    _SUBJECTS,
    _SURNAMES,
    TOPICS,
)
from sohoa.vocab import TYPE_ABBREVIATIONS, URGENCY_MARKS, nfc


def _two(n: int) -> str:
    return f"{n:02d}" if n < 10 else str(n)


def vn_date(day: dt.date, blank: str | None = None) -> str:
    """The date words of ô 4, e.g. "ngày 05 tháng 3 năm 2020": day < 10 and months 1, 2 get a leading 0.
    With ``blank``, the day is left as that blank, to be filled in by hand."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {blank or f'{day.day:02d}'} tháng {month} năm {day.year}"


def date_line(place: str, day: dt.date, blank: str | None = None, *, zeros: bool = True) -> str:
    """The italic place-and-date line of the header, e.g. "Hà Nội, ngày 05 tháng 01 năm 2020". Without
    ``zeros`` (documents before the rule of 2005), "Hà Nội, ngày 5 tháng 1 năm 1985"."""
    if not zeros:
        return nfc(f"{place}, ngày {blank or day.day} tháng {day.month} năm {day.year}")
    return nfc(f"{place}, {vn_date(day, blank)}")


@dataclass
class Look:
    """How a document of the wide variety is presented (``SynthDocument.look``; None is the plain NĐ 30 look).

    Nothing here changes the truth fields: it is how they are printed and how the paper aged."""

    era: str  # "nd30" (from 5 March 2020), "tt01" (TT 01/2011/TT-BNV, 2011–2020), "old" (before 2011)
    family: str = "serif"  # font family (sohoa.synth.fonts): serif, freeserif, mono, typewriter
    national_title: str = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"  # old tone placement "HOÀ" on older paper
    rule: str = "line"  # under agency and motto: "line" (drawn) or typed "dashes", "stars", "oOo"
    zeros: bool = True  # leading zeros of day < 10 and months 1, 2 in the date line
    date_row: int = 0  # 0: date level with "Số:"; k: level with the k-th line of the V/v block beside it
    type_suffix: str = ""  # printed after the type name, e.g. "CỦA UỶ BAN NHÂN DÂN TỈNH HẬU GIANG"
    seal_over: str = "signature"  # what the red seal covers: "signature", "name" or "title"
    name_stamp: bool = False  # the signer's name is a red stamp, not typed
    page_numbers: str = "top"  # "top" (centred in the top margin) or "bottom" (right corner, TT 01/2011)
    paper: str = "print"  # "print", "photocopy", "carbon" or "faded" (sohoa.synth.aging)
    secretary: str = ""  # the second signer of a Biên bản (left, "THƯ KÝ")
    features: list[str] = field(default_factory=list)  # layout kinds this document exercises, for scoring


@dataclass
class SynthDocument:
    """One synthetic administrative document: its printed fields are its ground truth."""

    document_type: str
    number: str  # as printed, e.g. "05"
    symbol: str  # e.g. "QĐ-UBND", "UBND-VX", "2025/QĐ-UBND"
    issued_date: dt.date
    place: str
    parent_agency: str | None
    issuing_agency: str  # as printed, line breaks replaced by one space
    agency_lines: list[str]
    subject: str  # without "V/v " / "Về việc "
    signer: str
    signer_title: str  # last title line above the name, without authority prefix
    authority: str | None  # prefixes in printed order, e.g. "TM. KT."
    signer_block: list[str]  # title lines, top to bottom
    urgency: str | None = None
    secrecy: str | None = None  # MẬT / TỐI MẬT / TUYỆT MẬT stamp (ô 10a)
    pages: int = 1  # printed pages, attachment included
    attachment: str | None = None  # "phụ lục" (no header) or "quy định" (own header, "Ban hành kèm theo")
    attachment_pages: int = 0
    subject_prefix: str = ""  # printed before the subject: "V/v ", "Về việc " or ""
    hand_filled: bool = False  # number and day written by hand into blanks of the printed lines
    addressees: list[str] = field(default_factory=list)  # "Kính gửi"
    recipients: list[str] = field(default_factory=list)  # "Nơi nhận" lines, as printed
    topic: str = ""
    agency_key: str = ""
    body_seed: int = 0
    language: str = "vi"
    look: Look | None = None  # wide variety only
    signer_prefix: str = ""  # academic prefix printed before the name ("TS. "), not part of the signer

    def __post_init__(self) -> None:
        for name, value in list(vars(self).items()):
            if isinstance(value, str):
                setattr(self, name, nfc(value))
            elif isinstance(value, list):
                setattr(self, name, [nfc(v) if isinstance(v, str) else v for v in value])

    @property
    def agency(self) -> Agency:
        for agency in AGENCIES:
            if agency.key == self.agency_key:
                return agency
        from sohoa.synth.agencies_wide import agency_by_key

        return agency_by_key(self.agency_key) or _ad_hoc_agency(self)

    @property
    def number_line(self) -> str:
        return f"Số: {BLANK if self.hand_filled else self.number}/{self.symbol}"

    @property
    def date_line(self) -> str:
        zeros = self.look is None or self.look.zeros
        return date_line(self.place, self.issued_date, BLANK if self.hand_filled else None, zeros=zeros)

    @property
    def printed_subject(self) -> str:
        return f"{self.subject_prefix}{self.subject}"

    def metadata(self) -> dict[str, Any]:
        """The truth metadata of this document (keys of the run report, plus the printed line lists; the wide
        variety adds the printed forms of subject and signer, as the second real set's labels do)."""
        meta = {
            "document_type": self.document_type,
            "number": self.number,
            "symbol": self.symbol,
            "issued_date": self.issued_date.isoformat(),
            "place": self.place,
            "issuing_agency": self.issuing_agency,
            "parent_agency": self.parent_agency,
            "subject": self.subject,
            "signer": self.signer,
            "signer_title": self.signer_title,
            "authority": self.authority,
            "urgency": self.urgency,
            "secrecy": self.secrecy,
            "language": self.language,
            "agency_lines": list(self.agency_lines),
            "signer_block": list(self.signer_block),
            "handwritten_fields": ["number", "issued_date"] if self.hand_filled else [],  # as the real set's labels
        }
        if self.look is not None:
            meta["subject"] = self.subject or None
            meta["subject_as_printed"] = self.printed_subject or None
            meta["signer_as_printed"] = f"{self.signer_prefix}{self.signer}"
            meta["number_symbol"] = f"{self.number}/{self.symbol}"
        return meta


def _ad_hoc_agency(doc: SynthDocument) -> Agency:
    name = " ".join(doc.agency_lines).capitalize()
    return Agency(
        key=doc.agency_key or "ad-hoc", parent=doc.parent_agency, lines=tuple(doc.agency_lines),
        abbr=doc.symbol.rsplit("-", 1)[-1], place=doc.place, name=name, organ_id="X00", kind="head",
        head="THỦ TRƯỞNG", deputy="PHÓ THỦ TRƯỞNG", units=("VP",), types=DOCUMENT_TYPES, superior="Cơ quan cấp trên",
        addressees=("Các cơ quan, đơn vị có liên quan",), proposer="Chánh Văn phòng",
        office="Chánh Văn phòng, Thủ trưởng các đơn vị", fond="P_X", seal=" ".join(doc.agency_lines),
    )


def _person(rng: random.Random) -> str:
    if rng.random() < 0.65:
        return f"{rng.choice(_SURNAMES)} {rng.choice(_MALE_MIDDLE)} {rng.choice(_MALE_GIVEN)}"
    return f"{rng.choice(_SURNAMES)} {rng.choice(_FEMALE_MIDDLE)} {rng.choice(_FEMALE_GIVEN)}"


def _signer_block(agency: Agency, document_type: str, rng: random.Random) -> tuple[list[str], str | None]:
    head, deputy = agency.head, agency.deputy
    options: list[tuple[list[str], str | None]]
    if agency.kind in ("government", "council") and agency.collective:
        collective = f"TM. {agency.collective}"
        options = [([collective, head], "TM."), ([collective, f"KT. {head}", deputy], "TM. KT."),
                   ([f"KT. {head}", deputy], "KT."), ([head], None)]
        if document_type in ("Công văn", "Thông báo", "Giấy mời"):
            options.append(([f"TL. {head}", "CHÁNH VĂN PHÒNG"], "TL."))
    else:
        options = [([head], None), ([f"KT. {head}", deputy], "KT."), ([f"KT. {head}", deputy], "KT."),
                   ([f"Q. {head}"], "Q.")]
        if document_type in ("Công văn", "Thông báo", "Giấy mời"):
            options.append(([f"TL. {head}", "CHÁNH VĂN PHÒNG"], "TL."))
    block, authority = rng.choice(options)
    return block, authority


def _addressees(agency: Agency, document_type: str, rng: random.Random,
                sent: tuple[str, ...] = ("Công văn", "Giấy mời")) -> tuple[list[str], list[str]]:
    """"Kính gửi" addressees of the types sent to someone, and the "Nơi nhận" lines as printed."""
    addressees: list[str] = []
    if document_type in sent:
        addressees = rng.sample(list(agency.addressees), k=rng.choice((1, 1, min(2, len(agency.addressees)))))
    elif document_type == "Tờ trình":
        addressees = [agency.superior]
    recipients = ["Như trên;"] if addressees else []
    if document_type in ("Quyết định", "Nghị quyết"):
        recipients.append("Như Điều 3;")
    extra = list(_RECIPIENT_LINES.get(agency.kind, _RECIPIENT_LINES["head"]))
    recipients += rng.sample(extra, k=rng.randint(1, 3))
    recipients.append(f"Lưu: VT, {rng.choice(agency.units)}.")
    return addressees, [f"- {line}" for line in recipients]


def _issued(agency: Agency, block: list[str], authority: str | None) -> dict[str, Any]:
    """The fields a document takes from its issuer and its signer block."""
    return {"place": agency.place, "parent_agency": agency.parent, "issuing_agency": " ".join(agency.lines),
            "agency_lines": list(agency.lines), "signer_title": _strip_prefixes(block[-1]), "authority": authority,
            "signer_block": list(block), "agency_key": agency.key}


def _strip_prefixes(title: str) -> str:
    words = title.split()
    while words and words[0] in ("TM.", "KT.", "TL.", "Q.", "TUQ."):
        words = words[1:]
    return " ".join(words)


def random_document(
    rng: random.Random,
    *,
    document_type: str | None = None,
    agency: Agency | None = None,
    year: int | None = None,
    topic: str | None = None,
    pages: int | None = None,
) -> SynthDocument:
    """A random administrative document; every argument left None is drawn from rng."""
    if document_type is not None and document_type not in DOCUMENT_TYPES:
        raise ValueError(f"unsupported document type: {document_type!r}")
    if agency is None:
        candidates = [a for a in AGENCIES if document_type is None or document_type in a.types]
        agency = rng.choice(candidates)
    if document_type is None:
        document_type = rng.choice(agency.types)
    year = year if year is not None else rng.randint(2015, 2025)
    topic = topic or rng.choice(TOPICS)
    issued = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
    number = _two(rng.randint(1, 350))
    if document_type == "Công văn":
        symbol = f"{agency.abbr}-{rng.choice(agency.units)}"
    else:
        symbol = f"{TYPE_ABBREVIATIONS[document_type]}-{agency.abbr}"
        if document_type in ("Quyết định", "Nghị quyết") and agency.kind != "head" and rng.random() < 0.12:
            symbol = f"{year}/{symbol}"
    template = rng.choice(_SUBJECTS[document_type])
    printed = template.format(topic=topic, year=year, year5=year + 5, prev=year - 1)
    prefix = ""
    for candidate in ("V/v ", "Về việc "):
        if printed.startswith(candidate):
            prefix, printed = candidate, printed[len(candidate):]
    block, authority = _signer_block(agency, document_type, rng)
    if pages is None:
        if document_type == "Giấy mời":
            pages = 1
        elif document_type == "Công văn":
            pages = rng.choice((1, 1, 2))
        else:
            pages = rng.choice((1, 1, 2, 2, 3))
    addressees, recipients = _addressees(agency, document_type, rng)
    urgency = rng.choice(URGENCY_MARKS) if rng.random() < 0.18 else None
    return SynthDocument(
        document_type=document_type,
        number=number,
        symbol=symbol,
        issued_date=issued,
        subject=printed,
        signer=_person(rng),
        urgency=urgency,
        pages=pages,
        subject_prefix=prefix,
        addressees=addressees,
        recipients=recipients,
        topic=topic,
        body_seed=rng.getrandbits(32),
        **_issued(agency, block, authority),
    )


