"""Page geometry (NĐ 30/2020 Phụ lục I §4.1): margins and sizes, the sheet being drawn, lines of text,
paragraphs and their pagination."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw, ImageFont

from sohoa.synth.fonts import _font, _text_width

if TYPE_CHECKING:
    from sohoa.synth.prose import _Para


INK = (12, 12, 12)
BLUE_INK = (25, 55, 165)
RED_INK = (205, 32, 40)

def a4_size(dpi: int) -> tuple[int, int]:
    """Pixel size (width, height) of an A4 portrait page at dpi."""
    return round(210 / 25.4 * dpi), round(297 / 25.4 * dpi)


@dataclass
class _Style:
    dpi: int
    width: int
    height: int
    ml: float
    mr: float
    mt: float
    mb: float
    body_pt: float
    spacing: float
    indent: float
    para_gap: float
    title_pt: float  # signer block
    sig_gap: float
    family: str = "serif"  # font family (sohoa.synth.fonts)

    def px(self, pt: float) -> float:
        return pt * self.dpi / 72

    def mm(self, value: float) -> float:
        return value * self.dpi / 25.4

    @property
    def text_left(self) -> float:
        return self.ml

    @property
    def text_right(self) -> float:
        return self.width - self.mr

    @property
    def text_center(self) -> float:
        return (self.ml + self.width - self.mr) / 2

    @property
    def left_col(self) -> tuple[float, float]:
        return self.ml, 0.45 * self.width

    @property
    def right_col(self) -> tuple[float, float]:
        return 0.48 * self.width, self.width - self.mr


def _choose_style(dpi: int, rng: random.Random) -> _Style:
    width, height = a4_size(dpi)
    st = _Style(dpi=dpi, width=width, height=height, ml=0, mr=0, mt=0, mb=0, body_pt=rng.choice((13.0, 14.0)),
                spacing=rng.choice((1.15, 1.2, 1.25)), indent=0, para_gap=0, title_pt=rng.choice((13.0, 14.0)),
                sig_gap=0)
    st.ml = st.mm(rng.uniform(30, 35))
    st.mr = st.mm(rng.uniform(15, 20))
    st.mt = st.mm(rng.uniform(20, 25))
    st.mb = st.mm(rng.uniform(20, 25))
    st.indent = st.mm(rng.choice((10.0, 12.7)))
    st.para_gap = st.px(6)
    st.sig_gap = st.mm(rng.uniform(28, 32))
    return st


class _Sheet:
    def __init__(self, st: _Style) -> None:
        self.st = st
        self.img = Image.new("RGB", (st.width, st.height), (255, 255, 255))
        self.draw = ImageDraw.Draw(self.img)
        self.lines: list[str] = []
        self.title_start = 0  # index in lines where the title block (type name, trích yếu, Kính gửi) starts
        self.closing_start: int | None = None  # index in lines where "Nơi nhận" and the signer block start
        self.vv_lines = 0  # lines of the V/v block under the number (công văn)

    def font(self, style: str, pt: float) -> ImageFont.FreeTypeFont:
        return _font(style, round(self.st.px(pt)), self.st.family)

    def width_of(self, text: str, style: str, pt: float) -> float:
        return _text_width(style, round(self.st.px(pt)), text, self.st.family)

    def put(self, text: str, style: str, pt: float, x: float, baseline: float, align: str = "l",
            fill: tuple[int, int, int] = INK, record: bool = True) -> float:
        anchor = {"l": "ls", "c": "ms", "r": "rs"}[align]
        self.draw.text((x, baseline), text, font=self.font(style, pt), fill=fill, anchor=anchor)
        if record:
            self.lines.append(text)
        return self.width_of(text, style, pt)

    def line_c(self, text: str, style: str, pt: float, cx: float, y: float, pitch: float = 1.2) -> tuple[float, float]:
        """Draw a centred line whose box starts at y; return (y of the next line, text width)."""
        width = self.put(text, style, pt, cx, y + 0.9 * self.st.px(pt), "c")
        return y + pitch * self.st.px(pt), width

    def rule(self, cx: float, length: float, y: float) -> None:
        thickness = max(1, round(self.st.px(0.6)))
        self.draw.line([(cx - length / 2, y), (cx + length / 2, y)], fill=INK, width=thickness)


def _fit_pt(sheet: _Sheet, texts: Sequence[str], style: str, sizes: Sequence[float], width: float) -> float:
    for pt in sizes:
        if all(sheet.width_of(t, style, pt) <= width for t in texts):
            return pt
    return sizes[-1]


def _wrap(sheet: _Sheet, text: str, style: str, pt: float, width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and sheet.width_of(trial, style, pt) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


@dataclass
class _Line:
    words: list[tuple[str, str]]
    pt: float
    align: str
    first: bool
    last: bool
    indent: float
    height: float
    gap_before: float

    @property
    def text(self) -> str:
        return " ".join(w for w, _ in self.words)


def _lay_para(sheet: _Sheet, para: _Para, pt: float) -> list[_Line]:
    st = sheet.st
    words: list[tuple[str, str]] = []
    for text, style in para.runs:
        words += [(w, "bold" if para.bold_all else style) for w in text.split()]
    space = sheet.width_of(" ", "regular", pt)
    full = st.text_right - st.text_left
    lines: list[list[tuple[str, str]]] = [[]]
    used = st.indent if para.indent else 0.0
    limit = full
    for word, style in words:
        w = sheet.width_of(word, style, pt)
        if lines[-1] and used + space + w > limit:
            lines.append([])
            used = 0.0
        used += (space if lines[-1] else 0.0) + w
        lines[-1].append((word, style))
    height = st.spacing * st.px(pt)
    out = []
    for i, line in enumerate(lines):
        out.append(_Line(words=line, pt=pt, align=para.align, first=i == 0, last=i == len(lines) - 1,
                         indent=st.indent if (para.indent and i == 0) else 0.0, height=height,
                         gap_before=st.para_gap if i == 0 else 0.0))
    return out


def _draw_line(sheet: _Sheet, line: _Line, y: float) -> None:
    st = sheet.st
    baseline = y + 0.9 * st.px(line.pt)
    widths = [sheet.width_of(w, s, line.pt) for w, s in line.words]
    space = sheet.width_of(" ", "regular", line.pt)
    total = sum(widths) + space * (len(widths) - 1)
    if line.align == "center":
        x = st.text_center - total / 2
        gap = space
    else:
        x = st.text_left + line.indent
        avail = st.text_right - x
        gap = space
        if line.align == "justify" and not line.last and len(widths) > 1:
            stretched = (avail - sum(widths)) / (len(widths) - 1)
            if stretched < 3.5 * space:
                gap = max(stretched, 0.6 * space)
    for (word, style), w in zip(line.words, widths, strict=True):
        sheet.put(word, style, line.pt, x, baseline, record=False)
        x += w + gap
    sheet.lines.append(line.text)


@dataclass
class _Pagination:
    pages: list[list[tuple[float, _Line]]]
    closing_page: int
    closing_y: float

    @property
    def count(self) -> int:
        return max(len(self.pages), self.closing_page + 1)

    @property
    def closing_alone(self) -> bool:
        return self.closing_page >= len(self.pages) or not self.pages[self.closing_page]


def _paginate(lines: list[_Line], first_top: float, st: _Style, closing_h: float) -> _Pagination:
    bottom = st.height - st.mb
    pages: list[list[tuple[float, _Line]]] = [[]]
    y = first_top
    for line in lines:
        gap = line.gap_before if (pages[-1] or len(pages) == 1) else 0.0
        if y + gap + line.height > bottom:
            pages.append([])
            y = st.mt
            gap = 0.0
        y += gap
        pages[-1].append((y, line))
        y += line.height
    closing_y = y + st.mm(4)
    closing_page = len(pages) - 1
    if closing_y + closing_h > bottom:
        closing_page += 1
        closing_y = st.mt
    return _Pagination(pages, closing_page, closing_y)


def _lay_all(sheet: _Sheet, paras: Iterable[_Para], pt: float) -> list[_Line]:
    out: list[_Line] = []
    for para in paras:
        out += _lay_para(sheet, para, pt)
    return out


