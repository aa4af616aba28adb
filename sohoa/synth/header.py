"""The header of page 1: agency and national-title columns, number and place-date line, marks, type
name and trích yếu, Kính gửi."""

from __future__ import annotations

import random

from sohoa.synth.documents import SynthDocument
from sohoa.synth.handwriting import BLANK, draw_hand_digits
from sohoa.synth.layout import RED_INK, _fit_pt, _Sheet, _wrap
from sohoa.vocab import MOTTO, NATIONAL_TITLE


def _draw_columns(sheet: _Sheet, doc: SynthDocument, rng: random.Random) -> float:
    """The two header columns (issuing body left, national title and motto right); returns their bottom y."""
    st = sheet.st
    lx0, lx1 = st.left_col
    rx0, rx1 = st.right_col
    lcx, rcx = (lx0 + lx1) / 2, (rx0 + rx1) / 2
    lw, rw = lx1 - lx0, rx1 - rx0
    y_left = y_right = st.mt
    if doc.parent_agency:
        pt = _fit_pt(sheet, [doc.parent_agency], "regular", (13, 12.5, 12), lw)
        y_left, _ = sheet.line_c(doc.parent_agency, "regular", pt, lcx, y_left, 1.15)
    pt = _fit_pt(sheet, doc.agency_lines, "bold", (13, 12.5, 12), lw)
    widest = 0.0
    for line in doc.agency_lines:
        y_left, w = sheet.line_c(line, "bold", pt, lcx, y_left, 1.15)
        widest = max(widest, w)
    rule_y = y_left + st.mm(0.3)
    sheet.rule(lcx, widest * rng.uniform(0.33, 0.5), rule_y)
    y_left = rule_y + st.mm(1.0)

    pt = _fit_pt(sheet, [NATIONAL_TITLE], "bold", (13, 12.5, 12), rw)
    y_right, _ = sheet.line_c(NATIONAL_TITLE, "bold", pt, rcx, y_right, 1.15)
    pt = _fit_pt(sheet, [MOTTO], "bold", (14, 13.5, 13), rw)
    y_right, w = sheet.line_c(MOTTO, "bold", pt, rcx, y_right, 1.15)
    rule_y = y_right + st.mm(0.3)
    sheet.rule(rcx, w, rule_y)
    y_right = rule_y + st.mm(1.0)

    return max(y_left, y_right)


def _draw_header(sheet: _Sheet, doc: SynthDocument, rng: random.Random) -> tuple[float, float]:
    """Header table, type name and trích yếu (or Kính gửi).

    Returns the y where the two-column header block ends (below "Số:"/date, V/v lines and urgency stamp)
    and the y where the body starts.
    """
    st = sheet.st
    lx0, lx1 = st.left_col
    lcx, lw = (lx0 + lx1) / 2, lx1 - lx0
    rcx = sum(st.right_col) / 2
    y = _draw_columns(sheet, doc, rng) + st.mm(rng.uniform(2.0, 4.0))
    baseline = y + 0.9 * st.px(13)
    sheet.put(doc.number_line, "regular", 13, lcx, baseline, "c")
    room = 2 * min(rcx - 0.455 * st.width, st.width - 0.5 * st.mr - rcx)
    date_pt = _fit_pt(sheet, [doc.date_line], "italic", (14, 13.5, 13, 12.5, 12), room)
    sheet.put(doc.date_line, "italic", date_pt, rcx, baseline, "c")
    if doc.hand_filled:
        for line, cx, style, pt, digits in ((doc.number_line, lcx, "regular", 13, doc.number),
                                            (doc.date_line, rcx, "italic", date_pt, f"{doc.issued_date.day:02d}")):
            x0 = cx - sheet.width_of(line, style, pt) / 2 + sheet.width_of(line[:line.index(BLANK)], style, pt)
            draw_hand_digits(sheet.draw, digits, x0 + sheet.width_of(BLANK, style, pt) / 2, baseline, st.px(13), rng)
    y_left = y + 1.2 * st.px(13)
    y_right = y + 1.2 * st.px(date_pt)
    if doc.document_type == "Công văn":
        pt = rng.choice((12.0, 13.0))
        y_left += st.px(6) - 0.2 * st.px(13)
        for line in _wrap(sheet, doc.printed_subject, "regular", pt, lw):
            y_left, _ = sheet.line_c(line, "regular", pt, lcx, y_left, 1.15)
    for mark in (doc.secrecy, doc.urgency):
        if mark:
            y_left = _draw_mark(sheet, mark, lcx, y_left + st.mm(3))
    header_bottom = max(y_left, y_right)
    y = header_bottom + st.mm(rng.uniform(6, 10))
    tcx = st.text_center
    sheet.title_start = len(sheet.lines)
    if doc.document_type != "Công văn":
        y, _ = sheet.line_c(doc.document_type.upper(), "bold", 14, tcx, y, 1.2)
        widest = 0.0
        for line in _wrap(sheet, doc.printed_subject, "bold", 14, 0.78 * (st.text_right - st.text_left)):
            y, w = sheet.line_c(line, "bold", 14, tcx, y, 1.2)
            widest = max(widest, w)
        rule_y = y + st.mm(0.3)
        sheet.rule(tcx, widest * rng.uniform(0.33, 0.5), rule_y)
        y = rule_y + st.mm(rng.uniform(5, 7))
    if doc.addressees and doc.document_type in ("Công văn", "Tờ trình"):
        y = _draw_addressees(sheet, doc.addressees, y + (st.mm(2) if doc.document_type == "Công văn" else 0))
    return header_bottom, y + st.mm(2)


def _draw_mark(sheet: _Sheet, mark: str, cx: float, y: float) -> float:
    """A red framed urgency or secrecy stamp centred at cx (NĐ 30/2020 ô 10a/10b)."""
    st = sheet.st
    box_w = st.mm({"KHẨN": 20, "MẬT": 20, "THƯỢNG KHẨN": 40, "TUYỆT MẬT": 36}.get(mark, 30))
    box_h = st.mm(8)
    text_w = sheet.width_of(mark, "bold", 13)
    box_w = max(box_w, text_w + st.mm(4))
    thickness = max(2, round(st.mm(0.45)))
    sheet.draw.rectangle([cx - box_w / 2, y, cx + box_w / 2, y + box_h], outline=RED_INK, width=thickness)
    sheet.put(mark, "bold", 13, cx, y + box_h / 2 + 0.33 * st.px(13), "c", fill=RED_INK)
    return y + box_h + st.mm(1)


def _draw_addressees(sheet: _Sheet, addressees: list[str], y: float) -> float:
    st = sheet.st
    pt = 14.0
    pitch = 1.2 * st.px(pt)
    if len(addressees) == 1:
        text = f"Kính gửi: {addressees[0]}"
        y, _ = sheet.line_c(text, "regular", pt, st.text_center, y, 1.2)
        return y
    label = "Kính gửi: "
    widest = max(sheet.width_of(f"- {a};", "regular", pt) for a in addressees)
    label_w = sheet.width_of(label, "regular", pt)
    x0 = max(st.text_left + st.indent, st.text_center - (label_w + widest) / 2)
    baseline = y + 0.9 * st.px(pt)
    sheet.put(label.strip(), "regular", pt, x0, baseline)
    for i, item in enumerate(addressees):
        end = "." if i == len(addressees) - 1 else ";"
        sheet.put(f"- {item}{end}", "regular", pt, x0 + label_w, baseline)
        baseline += pitch
        y += pitch
    return y


