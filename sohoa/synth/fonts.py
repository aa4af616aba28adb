"""Fonts with Vietnamese letters, found among the system's fonts."""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path

from PIL import ImageFont

_SERIF_FILES = {
    "liberation": {"regular": "LiberationSerif-Regular.ttf", "bold": "LiberationSerif-Bold.ttf",
                   "italic": "LiberationSerif-Italic.ttf", "bolditalic": "LiberationSerif-BoldItalic.ttf"},
    "dejavu": {"regular": "DejaVuSerif.ttf", "bold": "DejaVuSerif-Bold.ttf",
               "italic": "DejaVuSerif-Italic.ttf", "bolditalic": "DejaVuSerif-BoldItalic.ttf"},
}
# Liberation 1.x (Debian "fonts-liberation", in .../liberation/) has no Vietnamese letters such as "ệ" or "ư";
# Liberation 2.x ("fonts-liberation2", in .../liberation2/) has them. Fonts without them are skipped.
_FONT_DIRS = (
    ("/usr/share/fonts/truetype/liberation2", "liberation"),
    ("/usr/share/fonts/truetype/liberation", "liberation"),
    ("/usr/share/fonts/truetype/dejavu", "dejavu"),
)
_VIETNAMESE_PROBE = "ệưỡỜặĐ"


def _covers_vietnamese(path: Path) -> bool:
    font = ImageFont.truetype(str(path), 40)
    missing = bytes(font.getmask("\U0010fffd"))
    return all(bytes(font.getmask(ch)) != missing for ch in _VIETNAMESE_PROBE)


@cache
def _font_path(style: str) -> str:
    for folder, family in _FONT_DIRS:
        path = Path(folder) / _SERIF_FILES[family][style]
        if path.is_file() and _covers_vietnamese(path):
            return str(path)
    raise FileNotFoundError(f"no serif font with Vietnamese letters for style {style!r} "
                            "(install fonts-liberation2 or fonts-dejavu)")


@lru_cache(maxsize=512)
def _font(style: str, px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(_font_path(style), max(px, 1))


@lru_cache(maxsize=65536)
def _text_width(style: str, px: int, text: str) -> float:
    return float(_font(style, px).getlength(text))

