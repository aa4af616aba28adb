"""The header of page 1: agency and national-title columns, number and place-date line, marks, type
name and trích yếu, Kính gửi."""

from __future__ import annotations

import random

from sohoa.synth.documents import SynthDocument
from sohoa.synth.handwriting import BLANK, draw_hand_digits
from sohoa.synth.layout import RED_INK, _fit_pt, _Sheet, _wrap
from sohoa.synth.phrases_wide import TYPED_RULES
from sohoa.vocab import MOTTO, NATIONAL_TITLE

_WIDE_SIZES = (11.5, 11.0, 10.5, 10.0)  # monospace and typed headers need smaller sizes to fit the columns


def _sizes(doc: SynthDocument, sizes: tuple[float, ...]) -> tuple[float, ...]:
    return sizes if doc.look is None else sizes + tuple(s for s in _WIDE_SIZES if s < sizes[-1])


def _under(sheet: _Sheet, doc: SynthDocument, cx: float, length: float, y: float) -> float:
    """The rule under a header block, drawn (NĐ 30/2020) or typed (older paper); returns its y."""
    st = sheet.st
    if doc.look is None or doc.look.rule == "line":
        rule_y = y + st.mm(0.3)
        sheet.rule(cx, length, rule_y)
        return rule_y
    y, _ = sheet.line_c(TYPED_RULES[doc.look.rule], "regular", 12, cx, y - st.px(3), 1.0)
    return y


def _draw_columns(sheet: _Sheet, doc: SynthDocument, rng: random.Random) -> float:
    """The two header columns (issuing body left, national title and motto right); returns their bottom y."""
    st = sheet.st
    lx0, lx1 = st.left_col
    rx0, rx1 = st.right_col
    lcx, rcx = (lx0 + lx1) / 2, (rx0 + rx1) / 2
    lw, rw = lx1 - lx0, rx1 - rx0
    y_left = y_right = st.mt
    if doc.parent_agency:
        pt = _fit_pt(sheet, [doc.parent_agency], "regular", _sizes(doc, (13, 12.5, 12)), lw)
        parent = [doc.parent_agency]
        if doc.look is not None and sheet.width_of(doc.parent_agency, "regular", pt) > lw:
            parent = _wrap(sheet, doc.parent_agency, "regular", pt, lw)  # a long parent name takes two lines
        for line in parent:
            y_left, _ = sheet.line_c(line, "regular", pt, lcx, y_left, 1.15)
    pt = _fit_pt(sheet, doc.agency_lines, "bold", _sizes(doc, (13, 12.5, 12)), lw)
    widest = 0.0
    for line in doc.agency_lines:
        y_left, w = sheet.line_c(line, "bold", pt, lcx, y_left, 1.15)
        widest = max(widest, w)
    y_left = _under(sheet, doc, lcx, widest * rng.uniform(0.33, 0.5), y_left) + st.mm(1.0)

    title = NATIONAL_TITLE if doc.look is None else doc.look.national_title
    pt = _fit_pt(sheet, [title], "bold", _sizes(doc, (13, 12.5, 12)), rw)
    y_right, _ = sheet.line_c(title, "bold", pt, rcx, y_right, 1.15)
    pt = _fit_pt(sheet, [MOTTO], "bold", _sizes(doc, (14, 13.5, 13)), rw)
    y_right, w = sheet.line_c(MOTTO, "bold", pt, rcx, y_right, 1.15)
    y_right = _under(sheet, doc, rcx, w, y_right) + st.mm(1.0)

    return max(y_left, y_right)


def _draw_header(sheet: _Sheet, doc: SynthDocument, rng: random.Random) -> tuple[float, float]:
    """Header table, type name and trích yếu (or Kính gửi).

    Returns the y where the two-column header block ends (below "Số:"/date, V/v lines and urgency stamp)
    and the y where the body starts. A wide document may stand its date level with a line of the V/v block
    (``look.date_row``); how many lines that block took is left in ``sheet.vv_lines``.
    """
    st = sheet.st
    look = doc.look
    lx0, lx1 = st.left_col
    lcx, lw = (lx0 + lx1) / 2, lx1 - lx0
    rcx = sum(st.right_col) / 2
    y = _draw_columns(sheet, doc, rng) + st.mm(rng.uniform(2.0, 4.0))
    baseline = y + 0.9 * st.px(13)
    number_pt = 13.0 if look is None else _fit_pt(sheet, [doc.number_line], "regular", _sizes(doc, (13,)), lw)
    sheet.put(doc.number_line, "regular", number_pt, lcx, baseline, "c")
    vv_top = y + 1.2 * st.px(13) + st.px(6) - 0.2 * st.px(13)
    vv_pt, vv_lines = 0.0, []
    if look is not None and doc.document_type == "Công văn":  # wide: laid out first, the date may stand beside it
        vv_pt = rng.choice((12.0, 13.0)) if look.family == "serif" else rng.choice((11.0, 11.5))
        vv_lines = _wrap(sheet, doc.printed_subject, "regular", vv_pt, lw)
    date_baseline = baseline
    if look is not None and look.date_row and vv_lines:
        row = min(look.date_row, len(vv_lines)) - 1
        date_baseline = vv_top + row * 1.15 * st.px(vv_pt) + 0.9 * st.px(vv_pt)
    room = 2 * min(rcx - 0.455 * st.width, st.width - 0.5 * st.mr - rcx)
    date_pt = _fit_pt(sheet, [doc.date_line], "italic", _sizes(doc, (14, 13.5, 13, 12.5, 12)), room)
    sheet.put(doc.date_line, "italic", date_pt, rcx, date_baseline, "c")
    if doc.hand_filled:
        day = f"{doc.issued_date.day:02d}" if look is None or look.zeros else str(doc.issued_date.day)
        for line, cx, style, pt, digits, base in (
                (doc.number_line, lcx, "regular", number_pt, doc.number, baseline),
                (doc.date_line, rcx, "italic", date_pt, day, date_baseline)):
            x0 = cx - sheet.width_of(line, style, pt) / 2 + sheet.width_of(line[:line.index(BLANK)], style, pt)
            draw_hand_digits(sheet.draw, digits, x0 + sheet.width_of(BLANK, style, pt) / 2, base, st.px(13), rng)
    y_left = y + 1.2 * st.px(13)
    y_right = y + 1.2 * st.px(date_pt) + (date_baseline - baseline)
    if doc.document_type == "Công văn":
        if look is None:
            vv_pt = rng.choice((12.0, 13.0))
            vv_lines = _wrap(sheet, doc.printed_subject, "regular", vv_pt, lw)
        y_left += st.px(6) - 0.2 * st.px(13)
        for line in vv_lines:
            y_left, _ = sheet.line_c(line, "regular", vv_pt, lcx, y_left, 1.15)
    sheet.vv_lines = len(vv_lines)
    for mark in (doc.secrecy, doc.urgency):
        if mark:
            y_left = _draw_mark(sheet, mark, lcx, y_left + st.mm(3))
    header_bottom = max(y_left, y_right)
    y = header_bottom + st.mm(rng.uniform(6, 10))
    tcx = st.text_center
    sheet.title_start = len(sheet.lines)
    if doc.document_type != "Công văn":
        width = 0.78 * (st.text_right - st.text_left)
        title = doc.document_type.upper() if look is None or not look.type_suffix else \
            f"{doc.document_type.upper()} {look.type_suffix}"
        widest = 0.0
        for line in [title] if look is None else _wrap(sheet, title, "bold", 14, width):
            y, w = sheet.line_c(line, "bold", 14, tcx, y, 1.2)
            widest = w if not doc.printed_subject else widest  # no trích yếu: the rule goes under the title
        for line in _wrap(sheet, doc.printed_subject, "bold", 14, width):
            y, w = sheet.line_c(line, "bold", 14, tcx, y, 1.2)
            widest = max(widest, w)
        y = _under(sheet, doc, tcx, widest * rng.uniform(0.33, 0.5), y) + st.mm(rng.uniform(5, 7))
    if doc.addressees and doc.document_type in ("Công văn", "Tờ trình"):
        y = _draw_addressees(sheet, doc.addressees, y + (st.mm(2) if doc.document_type == "Công văn" else 0),
                             wrap=look is not None)
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


def _draw_addressees(sheet: _Sheet, addressees: list[str], y: float, wrap: bool = False) -> float:
    """"Kính gửi:" and the addressees (NĐ 30/2020 ô 9a); with wrap (wide variety), long ones wrap under the
    first letter of the first addressee instead of running off the page."""
    st = sheet.st
    pt = 14.0
    pitch = 1.2 * st.px(pt)
    if len(addressees) == 1:
        text = f"Kính gửi: {addressees[0]}"
        if not wrap or sheet.width_of(text, "regular", pt) <= st.text_right - st.text_left:
            y, _ = sheet.line_c(text, "regular", pt, st.text_center, y, 1.2)
            return y
    label = "Kính gửi: "
    widest = max(sheet.width_of(f"- {a};", "regular", pt) for a in addressees)
    label_w = sheet.width_of(label, "regular", pt)
    x0 = max(st.text_left + st.indent, st.text_center - (label_w + widest) / 2)
    if wrap:
        x0 = min(x0, max(st.text_left, st.text_right - label_w - widest))
    baseline = y + 0.9 * st.px(pt)
    sheet.put(label.strip(), "regular", pt, x0, baseline)
    for i, item in enumerate(addressees):
        end = "." if i == len(addressees) - 1 else ";"
        text = f"- {item}{end}" if len(addressees) > 1 else item
        lines = _wrap(sheet, text, "regular", pt, st.text_right - x0 - label_w) if wrap else [text]
        for line in lines:
            sheet.put(line, "regular", pt, x0 + label_w, baseline)
            baseline += pitch
            y += pitch
    return y
