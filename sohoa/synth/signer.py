"""The closing block: "Nơi nhận" on the left, the signer block with signature and red seal on the right."""

from __future__ import annotations

import math
import random

import numpy as np
from PIL import Image, ImageDraw

from sohoa.synth.documents import SynthDocument
from sohoa.synth.fonts import _font
from sohoa.synth.handwriting import _draw_signature
from sohoa.synth.layout import INK, RED_INK, _Sheet


def _closing_height(sheet: _Sheet, doc: SynthDocument) -> float:
    st = sheet.st
    left = 1.25 * st.px(12) + len(doc.recipients) * 1.15 * st.px(11)
    right = (len(doc.signer_block) + 1) * 1.2 * st.px(st.title_pt) + st.sig_gap
    if doc.look is not None and doc.document_type == "Biên bản":
        return right
    return max(left, right)


def _draw_recipients(sheet: _Sheet, doc: SynthDocument, y: float) -> None:
    st = sheet.st
    x = st.text_left
    baseline = y + 0.9 * st.px(12)
    sheet.put("Nơi nhận:", "bolditalic", 12, x, baseline)
    baseline += 1.25 * st.px(12) - 0.1 * st.px(12)
    for line in doc.recipients:
        baseline += 0.05 * st.px(11)
        sheet.put(line, "regular", 11, x, baseline)
        baseline += 1.1 * st.px(11)


def _draw_closing(sheet: _Sheet, doc: SynthDocument, y: float, rng: random.Random) -> None:
    st = sheet.st
    sheet.closing_start = len(sheet.lines)
    if doc.look is not None:
        _draw_wide_closing(sheet, doc, y, rng)
        return
    _draw_recipients(sheet, doc, y)
    rx0, rx1 = st.right_col
    cx = (rx0 + rx1) / 2
    yy = y
    for line in doc.signer_block:
        yy, _ = sheet.line_c(line, "bold", st.title_pt, cx, yy, 1.2)
    gap_top, gap_bottom = yy, yy + st.sig_gap
    sig_w = st.mm(rng.uniform(30, 42))
    sig_h = st.mm(rng.uniform(9, 13))
    sig_cx = cx + st.mm(rng.uniform(-4, 6))
    sig_cy = (gap_top + gap_bottom) / 2 + st.mm(rng.uniform(-2, 2))
    _draw_signature(sheet, sig_cx - sig_w / 2, sig_cy - sig_h / 2, sig_w, sig_h, rng)
    radius = (st.sig_gap - st.mm(2)) / 2
    seal_cx = sig_cx - sig_w / 2 + sig_w / 3 - radius * rng.uniform(0.85, 1.0)
    seal_cy = (gap_top + gap_bottom) / 2
    seal_text = doc.agency.seal or " * ".join(doc.agency_lines)
    _draw_seal(sheet, seal_cx, seal_cy, radius, seal_text, rng)
    sheet.line_c(doc.signer, "bold", st.title_pt, cx, gap_bottom, 1.2)


def _draw_wide_closing(sheet: _Sheet, doc: SynthDocument, y: float, rng: random.Random) -> None:
    """The closing of a wide document: the name is printed first and the seal stamped over what
    ``look.seal_over`` says (signature, name or title), a red name stamp or an academic prefix before the name;
    a Biên bản is signed by its secretary (left) and its chair (right), without "Nơi nhận" and seal."""
    st = sheet.st
    look = doc.look
    assert look is not None
    two = doc.document_type == "Biên bản"
    signers = [(doc.signer_block, f"{doc.signer_prefix}{doc.signer}", sum(st.right_col) / 2)]
    if two:
        signers.append((["THƯ KÝ"], look.secretary, (st.text_left + st.left_col[1]) / 2))
    else:
        _draw_recipients(sheet, doc, y)
    for block, name, cx in signers:
        yy = y
        for line in block:
            yy, _ = sheet.line_c(line, "bold", st.title_pt, cx, yy, 1.2)
        gap_top, gap_bottom = yy, yy + st.sig_gap
        stamp = look.name_stamp and name != look.secretary
        name_w = sheet.put(name, "bolditalic" if stamp else "bold", st.title_pt, cx,
                           gap_bottom + 0.9 * st.px(st.title_pt), "c", fill=RED_INK if stamp else INK)
        sig_w, sig_h = st.mm(rng.uniform(30, 42)), st.mm(rng.uniform(9, 13))
        sig_cx = cx + st.mm(rng.uniform(-4, 6))
        sig_cy = (gap_top + gap_bottom) / 2 + st.mm(rng.uniform(-2, 2))
        if look.seal_over == "name":
            sig_cy = gap_bottom - 0.15 * sig_h  # the pen runs over the printed name
        _draw_signature(sheet, sig_cx - sig_w / 2, sig_cy - sig_h / 2, sig_w, sig_h, rng)
        if two:
            continue
        radius = (st.sig_gap - st.mm(2)) / 2
        seal_cx = sig_cx - sig_w / 2 + sig_w / 3 - radius * rng.uniform(0.85, 1.0)
        seal_cy = (gap_top + gap_bottom) / 2
        if look.seal_over == "name":
            seal_cx = cx - name_w / 2 + radius * rng.uniform(0.2, 0.6)
            seal_cy = gap_bottom + 0.6 * st.px(st.title_pt) - radius * rng.uniform(0.0, 0.5)
        elif look.seal_over == "title":
            seal_cy = gap_top - 0.6 * st.px(st.title_pt) + radius * rng.uniform(0.0, 0.4)
        _draw_seal(sheet, seal_cx, seal_cy, radius, doc.agency.seal or " * ".join(doc.agency_lines), rng)


def _draw_seal(sheet: _Sheet, cx: float, cy: float, radius: float, text: str, rng: random.Random) -> None:
    """A red round seal (double ring, text around, star in the centre), multiplied semi-transparently."""
    st = sheet.st
    size = int(2 * radius + 4)
    mask = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(mask)
    c = size / 2
    outer = max(2, round(st.mm(0.8)))
    draw.ellipse([c - radius, c - radius, c + radius, c + radius], outline=255, width=outer)
    inner_r = radius - st.mm(4.2)
    draw.ellipse([c - inner_r, c - inner_r, c + inner_r, c + inner_r], outline=255,
                 width=max(1, round(st.mm(0.3))))
    text = text.upper()
    text_r = radius - st.mm(2.4)
    pt = 7.5
    font = _font("bold", round(st.px(pt)))
    total = float(font.getlength(text))
    arc = 2 * math.pi * text_r * 0.82
    if total > arc:
        pt *= arc / total
        font = _font("bold", max(4, round(st.px(pt))))
        total = float(font.getlength(text))
    start = -total / text_r / 2  # radians, centred on the top
    pos = 0.0
    glyph_box = int(st.px(pt) * 2) + 4
    for ch in text:
        adv = float(font.getlength(ch))
        theta = start + (pos + adv / 2) / text_r
        pos += adv
        if ch == " ":
            continue
        glyph = Image.new("L", (glyph_box, glyph_box), 0)
        ImageDraw.Draw(glyph).text((glyph_box / 2, glyph_box / 2), ch, font=font, fill=255, anchor="mm")
        glyph = glyph.rotate(-math.degrees(theta), resample=Image.Resampling.BILINEAR)
        gx = c + text_r * math.sin(theta) - glyph_box / 2
        gy = c - text_r * math.cos(theta) - glyph_box / 2
        mask.paste(255, (int(round(gx)), int(round(gy))), glyph)
    star_r = st.mm(rng.uniform(3.5, 4.5))
    star = []
    for k in range(10):
        r = star_r if k % 2 == 0 else star_r * 0.4
        a = -math.pi / 2 + k * math.pi / 5
        star.append((c + r * math.cos(a), c + r * math.sin(a)))
    draw.polygon(star, fill=255)
    nrng = np.random.default_rng(rng.getrandbits(64))
    alpha = np.asarray(mask, dtype=np.float32) / 255.0
    coarse = nrng.uniform(0.55, 1.0, size=(max(2, size // 24), max(2, size // 24))).astype(np.float32)
    texture = np.asarray(Image.fromarray(coarse).resize((size, size), Image.Resampling.BILINEAR), dtype=np.float32)
    alpha *= texture * rng.uniform(0.7, 0.85)
    x0, y0 = int(round(cx - c)), int(round(cy - c))
    x1, y1 = min(x0 + size, st.width), min(y0 + size, st.height)
    x0c, y0c = max(x0, 0), max(y0, 0)
    if x1 <= x0c or y1 <= y0c:
        return
    region = np.asarray(sheet.img.crop((x0c, y0c, x1, y1)), dtype=np.float32)
    cover = alpha[y0c - y0:y1 - y0, x0c - x0:x1 - x0, None]
    ink = np.array(RED_INK, dtype=np.float32) / 255.0
    blended = region * (1.0 - cover * (1.0 - ink))
    sheet.img.paste(Image.fromarray(np.clip(blended + 0.5, 0, 255).astype(np.uint8), "RGB"), (x0c, y0c))


