"""Wrapper around Tesseract's C++ API (tesserocr): orientation detection, OCR to hOCR + ALTO + text-only PDF.

An :class:`Engine` keeps the models loaded, so a worker reads ``vie.traineddata`` once and not once per page
(the command line spends a tenth of a page's time doing that). Tesseract runs with ``OMP_THREAD_LIMIT=1``:
parallelism comes from one engine per worker process (see ``sohoa.ocr``), faster on many pages than
Tesseract's own threads. tesserocr releases the GIL while Tesseract works.
"""

from __future__ import annotations

import os
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # read when libtesseract is loaded

LANG = "vie"
_TESSDATA = ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata",
             "/usr/share/tessdata", "/usr/local/share/tessdata")


Box = tuple[int, int, int, int]  # x0, y0, x1, y1


class TesseractError(RuntimeError):
    pass


@cache
def tessdata() -> str:
    """The folder holding the traineddata files: ``TESSDATA_PREFIX`` or the distribution's place."""
    for folder in filter(None, (os.environ.get("TESSDATA_PREFIX"), *_TESSDATA)):
        if (Path(folder) / f"{LANG}.traineddata").is_file():
            return folder
    raise TesseractError(f"no {LANG}.traineddata found (apt-get install tesseract-ocr-{LANG} tesseract-ocr-osd, "
                         "or set TESSDATA_PREFIX)")


def version() -> str:
    import tesserocr

    return f"tesseract {tesserocr.tesseract_version().split()[1]}"


@dataclass(frozen=True)
class Orientation:
    rotate: int  # degrees to turn the image clockwise to make it upright
    confidence: float


@dataclass(frozen=True)
class PageOutput:
    hocr: Path
    alto: Path
    pdf: Path  # text only: invisible glyphless text, to lay over the page image


def _image(image: Any) -> Any:
    """A PIL image from a PIL image, a path or a numpy array (grey or BGR)."""
    from PIL import Image

    if isinstance(image, Image.Image):
        return image
    if isinstance(image, (str, Path)):
        return Image.open(image)
    if image.ndim == 3:
        return Image.fromarray(image[:, :, ::-1])
    return Image.fromarray(image)


class Engine:
    """One loaded Tesseract for one worker (a thread or a process): not shared between threads."""

    def __init__(self, lang: str = LANG) -> None:
        import tesserocr

        self._tesserocr = tesserocr
        self.lang = lang
        self._apis: dict[str, Any] = {}  # models load on first use: OSD alone for cleaning, vie for OCR

    def _api(self, lang: str) -> Any:
        if lang not in self._apis:
            osd = lang == "osd"
            psm = self._tesserocr.PSM.OSD_ONLY if osd else self._tesserocr.PSM.AUTO
            try:
                api = self._tesserocr.PyTessBaseAPI(path=tessdata(), lang=lang, psm=psm)
            except RuntimeError as exc:
                raise TesseractError(f"Tesseract cannot load '{lang}' from {tessdata()}: {exc}") from exc
            renderers = {"textonly_pdf": "1", "hocr_font_info": "0", "tessedit_create_hocr": "1",
                         "tessedit_create_alto": "1", "tessedit_create_pdf": "1"}
            for name, value in ({} if osd else renderers).items():  # what ocr_page writes
                api.SetVariable(name, value)
            self._apis[lang] = api
        return self._apis[lang]

    def close(self) -> None:
        for api in self._apis.values():
            api.End()
        self._apis.clear()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def orientation(self, image: Any, dpi: int) -> Orientation:
        """Tesseract OSD: how far the page (a path or a numpy image) must be turned clockwise to be upright."""
        api = self._api("osd")
        api.SetImage(_image(image))
        api.SetSourceResolution(dpi)
        found = api.DetectOrientationScript()
        if not found:
            raise TesseractError("too little text to tell the orientation")
        # Tesseract reports how far the page is turned clockwise; the rest of a full turn makes it upright
        return Orientation((360 - int(found["orient_deg"])) % 360, float(found["orient_conf"]))

    def ocr_page(self, image: Path, out_base: Path, dpi: int, *, timeout: float = 300) -> PageOutput:
        """OCR one page image file: writes ``out_base.hocr``, ``out_base.xml`` (ALTO) and ``out_base.pdf``."""
        out_base.parent.mkdir(parents=True, exist_ok=True)
        api = self._api(self.lang)  # in PSM.AUTO: ocr_text puts it back after a stamp
        api.SetVariable("user_defined_dpi", str(dpi))
        started = time.monotonic()
        done = api.ProcessPages(str(out_base), str(image), timeout=int(timeout * 1000))
        if not done:
            if time.monotonic() - started >= timeout * 0.95:
                raise TesseractError(f"Tesseract timed out after {timeout:g} s")
            raise TesseractError("Tesseract could not read the page image")
        output = PageOutput(out_base.with_suffix(".hocr"), out_base.with_suffix(".xml"), out_base.with_suffix(".pdf"))
        if not all(p.is_file() and p.stat().st_size for p in (output.hocr, output.alto, output.pdf)):
            raise TesseractError("Tesseract wrote no hOCR, ALTO or PDF output")
        return output

    @contextmanager
    def _reading(self, image: Any, dpi: int, psm: int) -> Iterator[Any]:
        """The OCR API set to one image and one page segmentation mode, put back to PSM.AUTO after."""
        api = self._api(self.lang)
        api.SetPageSegMode(psm)
        try:
            api.SetImage(_image(image))
            api.SetSourceResolution(dpi)
            yield api
        finally:
            api.SetPageSegMode(self._tesserocr.PSM.AUTO)

    def ocr_block(self, image: Any, box: Box, dpi: int) -> str:
        """hOCR of one block of a page (``box`` = x0, y0, x1, y1) read as a single block of lines (PSM 6):
        a column of a two-column header reads better alone than in Tesseract's layout of the whole page."""
        with self._reading(_image(image).crop(box), dpi, self._tesserocr.PSM.SINGLE_BLOCK) as api:
            return str(api.GetHOCRText(0))

    def symbols(self, image: Any, box: Box, dpi: int) -> list[tuple[str, Box]]:
        """The characters of one line of a page (``box``) read on their own, each with its box on the page."""
        from tesserocr import RIL, iterate_level

        chars: list[tuple[str, Box]] = []
        with self._reading(_image(image).crop(box), dpi, self._tesserocr.PSM.SINGLE_LINE) as api:
            api.Recognize()
            for symbol in iterate_level(api.GetIterator(), RIL.SYMBOL):
                try:
                    text, (x0, y0, x1, y1) = symbol.GetUTF8Text(RIL.SYMBOL), symbol.BoundingBox(RIL.SYMBOL)
                except (RuntimeError, TypeError):  # an empty result: no symbol there
                    continue
                chars.append((unicodedata.normalize("NFC", text), (x0 + box[0], y0 + box[1], x1 + box[0], y1 + box[1])))
        return chars

    def ocr_text(self, image: Any, dpi: int, *, psm: int = 7) -> str:
        """Plain text of a small image (a stamp, one line), NFC."""
        with self._reading(image, dpi, psm) as api:
            text = api.GetUTF8Text()
        return unicodedata.normalize("NFC", text).strip()
