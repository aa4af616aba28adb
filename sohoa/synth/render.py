"""Rendering a document to page images with the text drawn on each page."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from PIL import Image

from sohoa.synth.agencies import DOCUMENT_TYPES
from sohoa.synth.documents import SynthDocument, vn_date
from sohoa.synth.header import _draw_columns, _draw_header
from sohoa.synth.layout import (
    _choose_style,
    _draw_line,
    _lay_all,
    _lay_para,
    _Line,
    _paginate,
    _Pagination,
    _Sheet,
    _Style,
    _wrap,
)
from sohoa.synth.phrases import _ACTIONS, _ACTORS, _ASSESSMENTS, _LEGAL_BASES, _OBJECTS, _STOP_WORDS, _TAILS
from sohoa.synth.prose import _cap, _lead, _para, _Writer
from sohoa.synth.signer import _closing_height, _draw_closing
from sohoa.vocab import MOTTO, NATIONAL_TITLE, nfc


@dataclass
class RenderedDocument:
    """Pages of a rendered document with the text drawn on each page (reading order, one line per line)."""

    pages: list[Image.Image]
    texts: list[str]
    header_bottom: float  # y (px) where the two-column header block of page 1 ends
    body_top: float  # y (px) where the body of page 1 starts (below type name, trích yếu, Kính gửi)
    words: list[str]  # distinctive words of page 1 (title block and body; not numbers, symbols, signer block)
    vv_lines: int = 0  # lines of the V/v block under the number (công văn)


def _draw_attachment(doc: SynthDocument, st: _Style, rng: random.Random) -> list[_Sheet]:
    """The attachment after the signed pages (NĐ 30/2020 Điều 8.3): a "phụ lục", or a "quy định" with its
    own header columns; both cite the document they belong to and carry no "Số:" line and no signer."""
    if not doc.attachment or doc.attachment_pages < 1:
        return []
    sheets = [_Sheet(st)]
    tcx = st.text_center
    cite = f"{doc.document_type} số {doc.number}/{doc.symbol} {vn_date(doc.issued_date)} của {doc.agency.name}"
    writer = _Writer(doc)
    writer.rng = random.Random(rng.getrandbits(32))
    if doc.attachment == "quy định":
        y = _draw_columns(sheets[0], doc, rng) + st.mm(8)
        titles, note = ["QUY ĐỊNH", _cap(doc.topic)], f"(Ban hành kèm theo {cite})"
        paras = [_para("Chương I", "bold", align="center", indent=False),
                 _para("QUY ĐỊNH CHUNG", "bold", align="center", indent=False)]
        paras += [_lead(f"Điều {k}. ", writer.sentence()) for k in range(1, 60)]
    else:
        y = float(st.mt)
        titles, note = ["PHỤ LỤC", f"DANH MỤC NHIỆM VỤ {doc.topic.upper()}"], f"(Kèm theo {cite})"
        paras = [_para(f"{k}. {_cap(writer.clause())}.") for k in range(1, 60)]
    width = 0.8 * (st.text_right - st.text_left)
    for text in titles:
        for wrapped in _wrap(sheets[0], text, "bold", 14, width):
            y, _ = sheets[0].line_c(wrapped, "bold", 14, tcx, y, 1.2)
    for wrapped in _wrap(sheets[0], note, "italic", 13, width):
        y, _ = sheets[0].line_c(wrapped, "italic", 13, tcx, y, 1.2)
    y += st.mm(6)
    bottom = st.height - st.mb
    for line in (ln for para in paras for ln in _lay_para(sheets[-1], para, st.body_pt)):
        if y + line.gap_before + line.height > bottom:
            if len(sheets) == doc.attachment_pages:
                break
            sheets.append(_Sheet(st))
            y = float(st.mt)
        y += line.gap_before
        _draw_line(sheets[-1], line, y)
        y += line.height
    return sheets


def render_with_text(doc: SynthDocument, dpi: int, rng: random.Random) -> RenderedDocument:
    """Render doc as A4 RGB pages at dpi and return them with the text of each page."""
    st = _choose_style(dpi, rng)
    compact_pt = 13.0
    if doc.look is not None:
        st.family = doc.look.family
        if st.family in ("typewriter", "mono"):  # a typewriter's pica: about 10 letters an inch
            st.body_pt, st.title_pt, compact_pt = 12.0, 12.0, 11.0
    first = _Sheet(st)
    header_bottom, body_top = _draw_header(first, doc, rng)
    closing_h = _closing_height(first, doc)
    opening, units, closing = _Writer(doc).body()
    target = max(1, doc.pages - doc.attachment_pages)
    # Fit the body to exactly doc.pages pages: take a prefix of the middle units (at least one when
    # possible) such that the closing block ends on the last page; compact the text if needed.
    attempts = [(st.body_pt, st.spacing, False), (compact_pt, 1.15, False), (compact_pt, 1.15, True)]
    chosen: tuple[list[_Line], _Pagination] | None = None
    second_best: tuple[list[_Line], _Pagination] | None = None
    for body_pt, spacing, drop_optional in attempts:
        st.spacing = spacing
        paras = [p for p in opening if not (drop_optional and p.optional)]
        open_lines = _lay_all(first, paras, body_pt)
        close_lines = _lay_all(first, closing, body_pt)
        good: list[tuple[list[_Line], _Pagination]] = []
        fallback: list[tuple[list[_Line], _Pagination]] = []
        middle: list[_Line] = []
        for k in range(len(units) + 1):
            if k:
                middle = middle + _lay_all(first, units[k - 1], body_pt)
            lines = open_lines + middle + close_lines
            pag = _paginate(lines, body_top, st, closing_h)
            if pag.count > target:
                break
            if pag.count == target:
                (good if k and not pag.closing_alone else fallback).append((lines, pag))
        if good:
            chosen = rng.choice(good[len(good) // 3:] if target > 1 else good)
            break
        if second_best is None and fallback:
            second_best = min(fallback, key=lambda option: option[1].closing_alone)
    if chosen is None:
        lines = open_lines + close_lines
        chosen = second_best or (lines, _paginate(lines, body_top, st, closing_h))
    _, pag = chosen
    sheets = [first] + [_Sheet(st) for _ in range(pag.count - 1)]
    for index, sheet in enumerate(sheets):
        if index and doc.look is not None and doc.look.page_numbers == "bottom":  # TT 01/2011 allowed either
            sheet.put(str(index + 1), "regular", 13, st.text_right, st.height - st.mb * 0.5, "r")
        elif index:
            sheet.put(str(index + 1), "regular", 13, st.text_center, st.mt * 0.55)
        for y, line in pag.pages[index] if index < len(pag.pages) else []:
            _draw_line(sheet, line, y)
    _draw_closing(sheets[pag.closing_page], doc, pag.closing_y, rng)
    sheets += _draw_attachment(doc, st, rng)
    texts = ["\n".join(sheet.lines) for sheet in sheets]
    return RenderedDocument(pages=[s.img for s in sheets], texts=texts, header_bottom=header_bottom, body_top=body_top,
                            words=_distinctive_words(first.lines[first.title_start:first.closing_start]),
                            vv_lines=first.vv_lines)


@cache
def _generic_words() -> frozenset[str]:
    """Words of the phrase lists shared by all documents: not distinctive of any one of them."""
    texts = [*_ACTORS, *_ACTIONS, *_OBJECTS, *_TAILS, *_ASSESSMENTS, *(t for _, _, t in _LEGAL_BASES),
             NATIONAL_TITLE, MOTTO, *DOCUMENT_TYPES]
    return frozenset(w.casefold() for t in texts for w in re.findall(r"\w+", nfc(t)))


def _distinctive_words(lines: Sequence[str], count: int = 10) -> list[str]:
    """Up to count words of lines, the least generic and longest first, returned in reading order."""
    seen: set[str] = set()
    candidates: list[tuple[int, str]] = []
    for line in lines:
        words = [w for w in nfc(line).split() if "/" not in w and not any(ch.isdigit() for ch in w)]
        for token in re.findall(r"\w+", " ".join(words)):
            key = token.casefold()
            if len(token) < 4 or not token.isalpha() or key in seen or key in _STOP_WORDS:
                continue
            seen.add(key)
            candidates.append((len(candidates), token))
    generic = _generic_words()
    ranked = sorted(candidates, key=lambda c: (c[1].casefold() in generic, -len(c[1]), c[0]))
    return [token for _, token in sorted(ranked[:count])]


def render_document(doc: SynthDocument, dpi: int, rng: random.Random) -> list[Image.Image]:
    """RGB A4 pages (210 x 297 mm at dpi) of doc laid out per NĐ 30/2020."""
    return render_with_text(doc, dpi, rng).pages


