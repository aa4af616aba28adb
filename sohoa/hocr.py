"""Read Tesseract hOCR: words with boxes and confidences, grouped in lines. Text is NFC."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree, html

from sohoa.vocab import nfc

# letters Tesseract confuses with Vietnamese ones: Icelandic eth for Đ, Spanish ñ
_CONFUSABLES = str.maketrans({"Ð": "Đ", "ð": "đ", "Ñ": "N", "ñ": "n"})
_BBOX = re.compile(r"bbox (\d+) (\d+) (\d+) (\d+)")
_CONF = re.compile(r"x_wconf (\d+)")


@dataclass(frozen=True)
class Word:
    text: str
    conf: float  # 0..100
    box: tuple[int, int, int, int]  # x0, y0, x1, y1

    @property
    def cx(self) -> float:
        return (self.box[0] + self.box[2]) / 2


@dataclass
class Line:
    words: list[Word] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def box(self) -> tuple[int, int, int, int]:
        xs0, ys0, xs1, ys1 = zip(*(w.box for w in self.words), strict=True)
        return min(xs0), min(ys0), max(xs1), max(ys1)

    @property
    def conf(self) -> float:
        return sum(w.conf for w in self.words) / len(self.words) if self.words else 0.0


@dataclass
class HocrPage:
    width: int
    height: int
    lines: list[Line]

    @property
    def words(self) -> list[Word]:
        return [w for line in self.lines for w in line.words]

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def confidence(self) -> float | None:
        words = self.words
        return round(sum(w.conf for w in words) / len(words), 1) if words else None


def _title(el: etree._Element) -> str:
    return el.get("title") or ""


def parse(path: Path) -> HocrPage:
    return parse_bytes(path.read_bytes())


def parse_bytes(data: bytes | str, offset: tuple[int, int] = (0, 0)) -> HocrPage:
    """Parse hOCR; ``offset`` (x, y) moves every box, for the hOCR of a block cut out of a page."""
    dx, dy = offset
    root = html.fromstring(data)
    page = root.find(".//*[@class='ocr_page']")
    width = height = 0
    if page is not None and (m := _BBOX.search(_title(page))):
        width, height = int(m.group(3)), int(m.group(4))
    lines: list[Line] = []
    for line_el in root.iterfind(".//span"):
        if line_el.get("class") not in {"ocr_line", "ocr_caption", "ocr_header", "ocr_textfloat"}:
            continue
        line = Line()
        for w in line_el.iterfind(".//span[@class='ocrx_word']"):
            text = nfc("".join(w.itertext()).strip()).translate(_CONFUSABLES)
            box = _BBOX.search(_title(w))
            if not text or not box:
                continue
            conf = _CONF.search(_title(w))
            line.words.append(Word(text, float(conf.group(1)) if conf else 0.0,
                                   (int(box.group(1)) + dx, int(box.group(2)) + dy, int(box.group(3)) + dx,
                                    int(box.group(4)) + dy)))
        if line.words:
            lines.append(line)
    return HocrPage(width, height, lines)


def to_json(lines: list[Line]) -> list[list[list[Any]]]:
    return [[[w.text, w.conf, *w.box] for w in line.words] for line in lines]


def from_json(data: list[list[list[Any]]]) -> list[Line]:
    return [Line([Word(t, c, (x0, y0, x1, y1)) for t, c, x0, y0, x1, y1 in line]) for line in data]
