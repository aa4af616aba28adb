"""Fonts with Vietnamese letters, found among the system's fonts.

The default family ("serif", Times-like) is the one NĐ 30/2020 asks for. The wide variety also types pages
the way 1975–2010 paper was: on a typewriter ("typewriter": GNU FreeMono Bold, one weight), in a
Courier New-like monospace of early word processors ("mono": Liberation Mono) and in another Times-like face
("freeserif": GNU FreeSerif). These come from Debian's fonts-liberation2 and fonts-freefont-ttf; a wide family
that is missing is an error, never replaced by another one (the pages would silently differ between machines).
"""

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
# family -> (Debian package, folder, files per style)
FAMILIES: dict[str, tuple[str, str, dict[str, str]]] = {
    # a typewriter strikes every letter with the same ribbon: one weight, heavier than FreeMono's hairlines
    "typewriter": ("fonts-freefont-ttf", "/usr/share/fonts/truetype/freefont",
                   {"regular": "FreeMonoBold.ttf", "bold": "FreeMonoBold.ttf", "italic": "FreeMonoBoldOblique.ttf",
                    "bolditalic": "FreeMonoBoldOblique.ttf"}),
    "mono": ("fonts-liberation2", "/usr/share/fonts/truetype/liberation2",
             {"regular": "LiberationMono-Regular.ttf", "bold": "LiberationMono-Bold.ttf",
              "italic": "LiberationMono-Italic.ttf", "bolditalic": "LiberationMono-BoldItalic.ttf"}),
    "freeserif": ("fonts-freefont-ttf", "/usr/share/fonts/truetype/freefont",
                  {"regular": "FreeSerif.ttf", "bold": "FreeSerifBold.ttf", "italic": "FreeSerifItalic.ttf",
                   "bolditalic": "FreeSerifBoldItalic.ttf"}),
}
# every letter with a stacked or unusual mark that a font without Vietnamese would draw as a box ("tofu")
VIETNAMESE_PROBE = "ệưỡỜặĐẫẬỹỶợỮằẳẵ"
_VIETNAMESE_PROBE = "ệưỡỜặĐ"


def _covers_vietnamese(path: Path, probe: str = _VIETNAMESE_PROBE) -> bool:
    font = ImageFont.truetype(str(path), 40)
    missing = bytes(font.getmask("\U0010fffd"))
    return all(bytes(font.getmask(ch)) != missing for ch in probe)


@cache
def _font_path(style: str, family: str = "serif") -> str:
    if family != "serif":
        package, folder, files = FAMILIES[family]
        path = Path(folder) / files[style]
        if path.is_file() and _covers_vietnamese(path, VIETNAMESE_PROBE):
            return str(path)
        raise FileNotFoundError(f"no {family} font with Vietnamese letters at {path} (install {package})")
    for folder, name in _FONT_DIRS:
        path = Path(folder) / _SERIF_FILES[name][style]
        if path.is_file() and _covers_vietnamese(path):
            return str(path)
    raise FileNotFoundError(f"no serif font with Vietnamese letters for style {style!r} "
                            "(install fonts-liberation2 or fonts-dejavu)")


@lru_cache(maxsize=512)
def _font(style: str, px: int, family: str = "serif") -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(_font_path(style, family), max(px, 1))


@lru_cache(maxsize=65536)
def _text_width(style: str, px: int, text: str, family: str = "serif") -> float:
    return float(_font(style, px, family).getlength(text))
