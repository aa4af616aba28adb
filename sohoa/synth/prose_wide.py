"""Body text of the document types only the wide variety draws (NĐ 30/2020 Phụ lục III: Mẫu 1.4 generic
types, 1.6 Công điện, 1.8 Giấy giới thiệu, 1.9 Biên bản, 1.10 Giấy nghỉ phép; "Thông tri" of older paper)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sohoa.synth.documents import _person, vn_date
from sohoa.synth.phrases_wide import OLD_LEGAL_BASES

if TYPE_CHECKING:
    from sohoa.synth.prose import _Para, _Writer

Body = tuple[list["_Para"], list[list["_Para"]], list["_Para"]]
_PLAN_TYPES = ("Hướng dẫn", "Chương trình", "Phương án", "Đề án")


def old_legal_bases(year: int) -> list[str]:
    """Legal bases in force in year among those quoted before 2011."""
    return [text for first, last, text in OLD_LEGAL_BASES if first <= year <= last]


def wide_body(w: _Writer, pool: int) -> Body | None:
    """Opening, middle units and closing of doc's body, or None when the type is one the default draws."""
    from sohoa.synth.prose import _cap, _para

    doc, agency, r = w.doc, w.agency, w.rng
    kind = doc.document_type
    lower = doc.subject[:1].lower() + doc.subject[1:]
    if kind in _PLAN_TYPES:
        noun = kind if kind != "Đề án" else "Đề án"
        opening = [_para(f"Căn cứ chương trình công tác năm {w.year}, {agency.name} ban hành {noun} {lower} như "
                         f"sau:"), _para("I. MỤC ĐÍCH, YÊU CẦU", "bold"), _para(w.sentence()),
                   _para("II. NỘI DUNG", "bold")]
        closing = [_para("III. TỔ CHỨC THỰC HIỆN", "bold"), _para(w.sentence()),
                   _para(f"Trên đây là {noun} {lower} của {agency.name}./.")]
        return opening, w.numbered_units(pool), closing
    if kind == "Thông tri":
        opening = [_para(w.assessment(2)), _para(f"Để thực hiện tốt {doc.topic}, {agency.name} thông tri:")]
        closing = [_para("Nhận được Thông tri này, các ngành, các cấp nghiêm túc thực hiện./.")]
        return opening, w.numbered_units(pool), closing
    if kind == "Công điện":
        sender = f"{agency.head} {agency.name.upper()}" if agency.kind == "government" else agency.name.upper()
        opening = [_para(f"{sender} điện:", "bold", align="left", indent=True)]
        opening += [_para(f"- {a};", align="left") for a in doc.addressees]
        opening.append(_para(w.assessment(1) + f" Để chủ động {doc.topic}, {agency.head.capitalize()} "
                                                f"{agency.name} yêu cầu:"))
        closing = [_para("Yêu cầu các cơ quan, đơn vị khẩn trương, nghiêm túc thực hiện./.")]
        return opening, w.numbered_units(pool, points=False), closing
    if kind == "Biên bản":
        start = dt.time(r.choice((7, 8, 13, 14)), r.choice((0, 30)))
        chair, secretary = doc.signer, doc.look.secretary if doc.look else ""
        opening = [_para(f"Thời gian bắt đầu: {start.hour} giờ {start.minute:02d} phút, "
                         f"{vn_date(doc.issued_date)}."),
                   _para(f"Địa điểm: Phòng họp {agency.name}."),
                   _para("Thành phần tham dự: lãnh đạo và đại diện các phòng, đơn vị có liên quan."),
                   _para(f"Chủ trì: ông (bà) {chair}."),
                   _para(f"Thư ký: ông (bà) {secretary}."),
                   _para("Nội dung:", "bold")]
        closing = [_para(f"Cuộc họp kết thúc vào {start.hour + 2} giờ {start.minute:02d} phút cùng ngày./.")]
        return opening, w.numbered_units(pool, points=False), closing
    if kind == "Giấy giới thiệu":
        until = doc.issued_date + dt.timedelta(days=r.randint(10, 60))
        opening = [_para(f"{agency.name} trân trọng giới thiệu:"),
                   _para(f"Ông (bà): {_person(r)}"),
                   _para(f"Chức vụ: Chuyên viên {r.choice(('Văn phòng', 'phòng Tổ chức', 'phòng Kế hoạch'))}"),
                   _para(f"Được cử đến: {agency.superior}"),
                   _para(f"Về việc: Liên hệ công tác về {doc.topic}."),
                   _para("Đề nghị Quý cơ quan tạo điều kiện để ông (bà) có tên ở trên hoàn thành nhiệm vụ.")]
        closing = [_para(f"Giấy này có giá trị đến hết {vn_date(until)}./.")]
        return opening, [], closing
    if kind == "Giấy nghỉ phép":
        first = doc.issued_date + dt.timedelta(days=r.randint(2, 20))
        last = first + dt.timedelta(days=r.randint(3, 12))
        person = _person(r)
        opening = [_para(f"Xét Đơn đề nghị nghỉ phép {vn_date(doc.issued_date - dt.timedelta(days=3))} của ông "
                         f"(bà) {person}, {agency.name} cấp cho:"),
                   _para(f"Ông (bà): {person}"),
                   _para("Chức vụ: Chuyên viên"),
                   _para(f"Được nghỉ phép trong thời gian {(last - first).days} ngày, kể từ {vn_date(first)} đến "
                         f"hết {vn_date(last)} tại {agency.place}.")]
        closing = [_para("Số ngày nghỉ phép nêu trên được tính vào thời gian nghỉ phép năm "
                         f"{doc.issued_date.year}./.")]
        return opening, [], closing
    if kind == "Giấy ủy quyền":
        opening = [_para(f"Căn cứ Quy chế làm việc của {agency.name};"),
                   _para(f"Bên ủy quyền: {_cap(agency.head.lower())} {agency.name}."),
                   _para(f"Bên được ủy quyền: ông (bà) {_person(r)}, {agency.deputy.capitalize()}."),
                   _para(f"Nội dung ủy quyền: {_cap(lower)}.")]
        closing = [_para("Giấy ủy quyền này có hiệu lực kể từ ngày ký./.")]
        return opening, w.numbered_units(min(pool, 3), points=False), closing
    if kind == "Phiếu chuyển":
        opening = [_para(f"{agency.name} nhận được hồ sơ về {doc.topic}."),
                   _para(f"Sau khi xem xét, {agency.name} chuyển hồ sơ đến {agency.superior} để xem xét, giải "
                         f"quyết theo thẩm quyền.")]
        closing = [_para("Đề nghị thông báo kết quả giải quyết cho đơn vị chuyển biết./.")]
        return opening, [], closing
    return None
