"""Plausible administrative prose for the body of a document, per document type (NĐ 30/2020 Phụ lục III)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from sohoa.synth.documents import SynthDocument, _two, vn_date
from sohoa.synth.phrases import _ACTIONS, _ACTORS, _ASSESSMENTS, _LEGAL_BASES, _OBJECTS, _TAILS
from sohoa.vocab import nfc


@dataclass
class _Para:
    runs: list[tuple[str, str]]  # (text, font style)
    align: str = "justify"  # justify | center | left
    indent: bool = True
    bold_all: bool = False
    optional: bool = False  # may be dropped when a one-page document does not fit


def _para(text: str, style: str = "regular", **kwargs: Any) -> _Para:
    return _Para([(nfc(text), style)], **kwargs)


def _lead(lead: str, text: str, style: str = "regular") -> _Para:
    return _Para([(nfc(lead), "bold"), (nfc(text), style)])


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class _Writer:
    """Plausible administrative prose for one document, drawn from its own random stream."""

    def __init__(self, doc: SynthDocument) -> None:
        self.doc = doc
        self.agency = doc.agency
        self.rng = random.Random(doc.body_seed)
        self.year = doc.issued_date.year

    def fill(self, template: str) -> str:
        r = self.rng
        return template.format(topic=self.doc.topic, year=self.year, pct=r.randint(85, 99), delta=r.randint(1, 9),
                               n=r.randint(2, 15), m=r.randint(100, 900))

    def clause(self) -> str:
        r = self.rng
        return self.fill(f"{r.choice(_ACTIONS)} {r.choice(_OBJECTS)}, {r.choice(_TAILS)}")

    def sentence(self) -> str:
        return f"{self.rng.choice(_ACTORS)} {self.clause()}."

    def assessment(self, count: int) -> str:
        picks = self.rng.sample(list(_ASSESSMENTS), k=count)
        return " ".join(self.fill(p) + "." for p in picks)

    def earlier_date(self, days: tuple[int, int]) -> dt.date:
        return self.doc.issued_date - dt.timedelta(days=self.rng.randint(*days))

    def legal_bases(self, count: int) -> list[str]:
        usable = [text for first, last, text in _LEGAL_BASES if first <= self.year <= last]
        if self.doc.look is not None:
            from sohoa.synth.prose_wide import old_legal_bases

            usable += old_legal_bases(self.year)
        picks = self.rng.sample(usable, k=min(count, len(usable)))
        own = self.earlier_date((200, 900))
        if self.agency.kind == "head" and (self.agency.parent or "").startswith("UBND") and own.year >= 2015:
            picks.append(f"Căn cứ Quyết định số {_two(self.rng.randint(1, 300))}/QĐ-UBND {vn_date(own)} quy định "
                         f"chức năng, nhiệm vụ, quyền hạn và cơ cấu tổ chức của {self.agency.name}")
        return picks

    def numbered_units(self, count: int, *, points: bool = True) -> list[list[_Para]]:
        units: list[list[_Para]] = []
        for i in range(1, count + 1):
            r = self.rng
            if points and r.random() < 0.3:
                unit = [_para(f"{i}. {_cap(self.clause())}, cụ thể như sau:")]
                objects = r.sample(list(_OBJECTS), k=r.randint(2, 4))
                for j, (letter, obj) in enumerate(zip("abcd", objects, strict=False)):
                    end = "." if j == len(objects) - 1 else ";"
                    unit.append(_para(f"{letter}) {_cap(self.fill(obj))}{end}"))
                units.append(unit)
            else:
                units.append([_para(f"{i}. {_cap(self.clause())}. {self.sentence()}")])
        return units

    def prose_units(self, count: int) -> list[list[_Para]]:
        units: list[list[_Para]] = []
        for _ in range(count):
            r = self.rng
            text = " ".join([self.assessment(1)] + [self.sentence() for _ in range(r.randint(1, 2))])
            units.append([_para(text)])
        return units

    def body(self, pool: int = 80) -> tuple[list[_Para], list[list[_Para]], list[_Para]]:
        """Opening paragraphs, a pool of middle units (any prefix of it reads well), closing paragraphs."""
        doc, agency, r = self.doc, self.agency, self.rng
        if doc.look is not None:
            from sohoa.synth.prose_wide import wide_body

            wide = wide_body(self, pool)
            if wide is not None:
                return wide
        kind = doc.document_type
        subject = doc.subject
        if kind in ("Quyết định", "Nghị quyết"):
            if kind == "Quyết định":
                if doc.authority and doc.authority.startswith("TM."):
                    issuer = agency.name.upper()
                else:
                    issuer = f"{agency.head} {agency.name.upper()}"
                verb, noun = "QUYẾT ĐỊNH:", "Quyết định"
            else:
                issuer = f"{agency.name.upper()}\nKHÓA {r.choice(('IX', 'X', 'XI', 'XIV', 'XV'))}, KỲ HỌP THỨ " \
                         f"{r.randint(2, 20)}"
                verb, noun = "QUYẾT NGHỊ:", "Nghị quyết"
            opening = [_para(line, "bold", align="center", indent=False) for line in issuer.split("\n")]
            bases = self.legal_bases(3)
            for idx, basis in enumerate(bases):
                opening.append(_para(basis + ";", "italic", optional=idx >= 2))
            proposal = self.earlier_date((3, 40))
            abbr = "TTr-UBND" if kind == "Nghị quyết" else f"TTr-{r.choice(agency.units)}"
            opening.append(_para(f"Theo đề nghị của {agency.proposer} tại Tờ trình số "
                                 f"{_two(r.randint(1, 200))}/{abbr} {vn_date(proposal)}.", "italic"))
            opening.append(_para(verb, "bold", align="center", indent=False))
            opening.append(_lead("Điều 1. ", _cap(subject) + ", với các nội dung chủ yếu sau:"))
            units = self.numbered_units(pool)
            closing = [
                _lead("Điều 2. ", f"{noun} này có hiệu lực kể từ ngày {'ký' if kind == 'Quyết định' else 'thông qua'}."),
                _lead("Điều 3. ", f"{agency.office}, Thủ trưởng các cơ quan, đơn vị và cá nhân có liên quan chịu "
                                  f"trách nhiệm thi hành {noun} này./."),
            ]
            return opening, units, closing
        if kind == "Công văn":
            ref = self.earlier_date((5, 60))
            opening = [_para(f"Thực hiện văn bản số {_two(r.randint(1, 999))}/UBND-VX {vn_date(ref)} về {doc.topic}, "
                             f"{agency.name} đề nghị các cơ quan, đơn vị quan tâm thực hiện một số nội dung sau:")]
            closing = [_para(f"Đề nghị các cơ quan, đơn vị quan tâm, phối hợp thực hiện; báo cáo kết quả về "
                             f"{agency.name} trước ngày 30 tháng {r.randint(3, 12)} năm {self.year}./.")]
            return opening, self.numbered_units(pool, points=False), closing
        if kind == "Thông báo":
            meeting = self.earlier_date((1, 10))
            opening = [_para(f"Ngày {meeting.day:02d} tháng {_month(meeting)} năm {meeting.year}, lãnh đạo "
                             f"{agency.name} đã chủ trì cuộc họp về {doc.topic}. Tham dự cuộc họp có đại diện lãnh "
                             f"đạo các cơ quan, đơn vị có liên quan. Sau khi nghe báo cáo và ý kiến phát biểu của "
                             f"các đại biểu, lãnh đạo {agency.name} kết luận như sau:")]
            closing = [_para(f"{agency.name} thông báo để các cơ quan, đơn vị biết, thực hiện./.")]
            return opening, self.numbered_units(pool), closing
        if kind == "Báo cáo":
            opening = [_para(f"Thực hiện chỉ đạo của cấp trên, {agency.name} báo cáo {_lower_first(subject)} "
                             f"như sau:"),
                       _para("I. KẾT QUẢ THỰC HIỆN", "bold", indent=True)]
            closing = [_para("II. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI", "bold"), _para(self.sentence()),
                       _para(f"Trên đây là báo cáo {_lower_first(subject)} của {agency.name}./.")]
            return opening, self.prose_units(pool), closing
        if kind == "Tờ trình":
            opening = [_para(basis + ";") for basis in self.legal_bases(2)]
            opening.append(_para(f"{agency.name} kính trình {doc.addressees[0]} xem xét nội dung "
                                 f"{_lower_first(subject)}, cụ thể như sau:"))
            closing = [_para(f"Kính trình {doc.addressees[0]} xem xét, quyết định./.")]
            return opening, self.numbered_units(pool), closing
        if kind == "Kế hoạch":
            opening = [_para(f"Thực hiện chương trình công tác năm {self.year}, {agency.name} ban hành Kế hoạch "
                             f"{_lower_first(subject)} như sau:"),
                       _para("I. MỤC ĐÍCH, YÊU CẦU", "bold"), _para(self.sentence()),
                       _para("II. NỘI DUNG THỰC HIỆN", "bold")]
            closing = [_para("III. TỔ CHỨC THỰC HIỆN", "bold"), _para(self.sentence()),
                       _para(f"Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các cơ quan, đơn vị phản ánh "
                             f"về {agency.name} để xem xét, giải quyết./.")]
            return opening, self.numbered_units(pool), closing
        if kind == "Chỉ thị":
            opening = [_para(self.assessment(2)),
                       _para(self.assessment(2), optional=True),
                       _para(f"Để khắc phục những hạn chế nêu trên, {agency.head.capitalize()} "
                             f"{agency.name} yêu cầu:")]
            closing = [_para("Yêu cầu Thủ trưởng các cơ quan, đơn vị nghiêm túc triển khai thực hiện Chỉ thị "
                             "này./.")]
            return opening, self.numbered_units(pool), closing
        # Giấy mời
        when = doc.issued_date + dt.timedelta(days=r.randint(3, 12))
        names = "; ".join(doc.addressees) if doc.addressees else "Đại diện lãnh đạo các cơ quan, đơn vị"
        opening = [_para(f"{agency.name} trân trọng kính mời:", indent=True),
                   _para(f"Đại diện lãnh đạo {_lower_first(names)}.", "bold", align="center", indent=False),
                   _para(f"Tới {_lower_first(subject)}."),
                   _para("Nội dung chương trình:")]
        closing = [_para(f"Thời gian: {r.choice((7, 8, 13, 14))} giờ {r.choice(('00', '30'))} phút, "
                         f"{vn_date(when)}."),
                   _para(f"Địa điểm: Hội trường {agency.name}."),
                   _para("Rất mong Quý đại biểu tham dự đúng thời gian./.")]
        units = [[_para(f"- {_cap(self.clause())}.")] for _ in range(pool)]
        return opening, units, closing


def _month(day: dt.date) -> str:
    return f"{day.month:02d}" if day.month <= 2 else str(day.month)


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


